import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { ProvisionedDevice } from "@jetson/protocol";
import { LIFTED_RATE_LIMITS } from "../bench/lifted-limits.js";
import { inParallel } from "../bench/in-parallel.js";
import { LocalWorker, tempDir } from "./local-stack.js";
import { freePort } from "./ports.js";
import { groupUsage } from "./process-group.js";
import { WORKER_RUNTIME } from "./worker-runtime.js";
import { SoakLink } from "./soak-link.js";
import { WorkerInspector } from "./worker-inspector.js";

/** One look at where the local Worker's memory is (MiB). */
export interface MemoryLook {
  /** Resident memory of the workerd that runs the Worker and its objects. */
  runtimeMiB: number;
  /** Resident memory of wrangler's proxy workerd, which every request and WebSocket passes through locally. */
  proxyMiB: number;
  /** The Worker's live JS heap after a full collection. */
  jsHeapMiB: number;
}

/**
 * A local Worker (rate limits lifted, its own temporary state) with `devices` provisioned, and
 * its memory looked at from outside: for experiments that ask what makes workerd grow.
 */
export class ProbedWorker {
  private constructor(
    readonly worker: LocalWorker,
    private readonly inspector: WorkerInspector,
    private readonly dir: string,
    readonly devices: ProvisionedDevice[],
  ) {}

  static async start(devices: number, prefix: string): Promise<ProbedWorker> {
    const dir = await tempDir(`jetson-${prefix}-`);
    const inspectorPort = await freePort();
    const worker = new LocalWorker({
      port: await freePort(),
      inspectorPort,
      operatorToken: randomBytes(24).toString("base64url"),
      persistDir: path.join(dir, "state"),
      vars: LIFTED_RATE_LIMITS,
    });
    await worker.start();
    const inspector = await WorkerInspector.attach(inspectorPort);
    await worker.createFleet("local");
    const provisioned = await inParallel(
      Array.from({ length: devices }, (_, i) => `${prefix}-${i}`),
      16,
      (id) => worker.provision(id),
    );
    return new ProbedWorker(worker, inspector, dir, provisioned);
  }

  async look(): Promise<MemoryLook> {
    const group = this.worker.pid;
    if (group === undefined) throw new Error("the Worker is not running");
    const [all, runtime] = await Promise.all([groupUsage(group, "workerd"), groupUsage(group, "workerd", WORKER_RUNTIME)]);
    return { runtimeMiB: runtime.residentMiB, proxyMiB: all.residentMiB - runtime.residentMiB, jsHeapMiB: await this.inspector.liveHeapMiB() };
  }

  async stop(): Promise<void> {
    this.inspector.close();
    await this.worker.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Runs `probe` against a probed Worker with `count` device links connected (reconnecting as a bridge
 * does while it runs), then stops the links and the Worker; a failure is printed and exits non-zero.
 */
export function probeWithLinks(count: number, prefix: string, probe: (worker: ProbedWorker, links: SoakLink[]) => Promise<void>): void {
  const run = async () => {
    const worker = await ProbedWorker.start(count, prefix);
    let running = true;
    const links = worker.devices.map((device) => new SoakLink({ url: worker.worker.url, device, reconnect: { minMs: 200, maxMs: 2_000 }, wanted: () => running }));
    try {
      await inParallel(links, 16, (link) => link.connect());
      await probe(worker, links);
    } finally {
      running = false;
      await Promise.all(links.map((link) => link.stop()));
      await worker.stop();
    }
  };
  run().catch((error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
  });
}
