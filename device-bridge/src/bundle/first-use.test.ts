import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Result, ResultSchema, topicFor } from "@jetson/protocol";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagedProcess } from "../../../scripts/processes.js";
import { type LocalSshd, startSshd } from "../../../scripts/sshd.js";
import { createSimulatedJetson, ENGINE_SOCKET, startSimulatedEngine } from "../../sim/index.js";
import { ScriptedBroker } from "../link/scripted-broker.js";
import { bundleOptions } from "./options.js";

const DEVICE = "bundled-1";
/** A Jetson the bundled bridge serves in gateway mode, over SSH: here the same simulated board, reached through OpenSSH. */
const GATEWAY_DEVICE = "bundled-over-ssh";
let sshd: LocalSshd;
let dir: string;
let broker: ScriptedBroker;
let engine: { close(): Promise<void> };
let bridge: ManagedProcess;
let commands = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "bundled-bridge-"));
  const bundle = path.join(dir, "opt/jetson-bridge.mjs");
  await build({ ...bundleOptions, outfile: bundle });
  const sim = await createSimulatedJetson({ dir: path.join(dir, "root"), board: "agx-orin-jp6", hostname: DEVICE });
  engine = await startSimulatedEngine(sim.root);
  broker = await ScriptedBroker.start();
  sshd = await startSshd(path.join(dir, "sshd"));
  const keyFile = path.join(dir, "gateway-key");
  await writeFile(keyFile, sshd.privateKey, { mode: 0o600 });
  await mkdir(path.join(dir, "state"));
  const config = path.join(dir, "bridge.json");
  await writeFile(
    config,
    JSON.stringify({
      url: broker.url,
      fleet: "local",
      deviceId: DEVICE,
      token: "device-token-of-the-bundled-bridge",
      root: sim.root,
      programDirs: [sim.binDir],
      stateDir: path.join(dir, "state"),
      docker: { socket: path.join(sim.root, ENGINE_SOCKET) },
      services: { allow: ["nvfancontrol.service"] },
      gateway: [
        {
          deviceId: GATEWAY_DEVICE,
          token: "device-token-of-the-jetson-over-ssh",
          ssh: { host: sshd.host, port: sshd.port, username: sshd.username, privateKeyFile: keyFile, hostKeySha256: sshd.hostKeySha256 },
          root: sim.root,
          programDirs: [sim.binDir],
        },
      ],
    }),
  );
  // A copy outside the repository, as on a device: nothing to resolve packages from.
  bridge = ManagedProcess.start("bundled bridge", process.execPath, [bundle, "run", "--config", config], { cwd: dir });
  await bridge.waitForLine(/connected to .*\/bundled-1$/);
  await bridge.waitForLine(/connected to .*\/bundled-over-ssh$/);
});

afterAll(async () => {
  await bridge?.stop();
  await broker?.close();
  await sshd?.stop();
  await engine?.close();
  // The board's simulation may still be writing under root/proc as it stops (ENOTEMPTY once in CI): rm retries.
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

async function call(action: string, args: Record<string, unknown> = {}, device = DEVICE): Promise<Result> {
  const id = `cmd-bundled-${++commands}`;
  const topic = topicFor(device, "result");
  const answer = broker.publishWhere((publish) => publish.topic === topic && publish.payload.includes(`"${id}"`));
  broker.send(topicFor(device, "command"), JSON.stringify({ id, action, args, deadline: Date.now() + 60_000, requestedBy: "test" }));
  return ResultSchema.parse(JSON.parse((await answer).payload));
}

describe("the single-file bridge", () => {
  it("runs the first call of each action it loads on first use", async () => {
    const containers = await call("containers.list", { all: true });
    expect(containers).toMatchObject({ ok: true, data: { containers: expect.any(Array) } });
    expect(await call("ai.inventory")).toMatchObject({ ok: true, data: { images: { available: true } } });
    expect(await call("gpio.list")).toMatchObject({ ok: true, data: { lines: expect.any(Array) } });
    expect(await call("services.status", { unit: "nvfancontrol.service" })).toMatchObject({ ok: true, data: { unit: "nvfancontrol.service" } });
    expect(await call("time.status")).toMatchObject({ ok: true });
  });

  it("serves a Jetson over SSH, the SSH code loaded as gateway mode starts", async () => {
    expect(await call("system.info", {}, GATEWAY_DEVICE)).toMatchObject({ ok: true, data: { hostname: DEVICE, soc: "tegra234" } });
  });

  it("tells its memory when sent SIGUSR2", async () => {
    const line = bridge.nextLine(/memory (\{.*\})/);
    bridge.signal("SIGUSR2");
    const usage = JSON.parse((await line)[1] ?? "") as NodeJS.MemoryUsage;
    expect(usage.heapUsed).toBeGreaterThan(0);
    expect(usage.rss).toBeGreaterThan(usage.heapUsed);
  });
});
