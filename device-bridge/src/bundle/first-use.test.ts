import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Result, ResultSchema, topicFor } from "@jetson/protocol";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagedProcess } from "../../../scripts/processes.js";
import { createSimulatedJetson, ENGINE_SOCKET, startSimulatedEngine } from "../../sim/index.js";
import { ScriptedBroker } from "../link/scripted-broker.js";
import { bundleOptions } from "./options.js";

const DEVICE = "bundled-1";
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
    }),
  );
  // A copy outside the repository, as on a device: nothing to resolve packages from.
  bridge = ManagedProcess.start("bundled bridge", process.execPath, [bundle, "run", "--config", config], { cwd: dir });
  await bridge.waitForLine(/connected to /);
});

afterAll(async () => {
  await bridge?.stop();
  await broker?.close();
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

async function call(action: string, args: Record<string, unknown> = {}): Promise<Result> {
  const id = `cmd-bundled-${++commands}`;
  const topic = topicFor(DEVICE, "result");
  const answer = broker.publishWhere((publish) => publish.topic === topic && publish.payload.includes(`"${id}"`));
  broker.send(topicFor(DEVICE, "command"), JSON.stringify({ id, action, args, deadline: Date.now() + 60_000, requestedBy: "test" }));
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

  it("tells its memory when sent SIGUSR2", async () => {
    const line = bridge.nextLine(/memory (\{.*\})/);
    bridge.signal("SIGUSR2");
    const usage = JSON.parse((await line)[1] ?? "") as NodeJS.MemoryUsage;
    expect(usage.heapUsed).toBeGreaterThan(0);
    expect(usage.rss).toBeGreaterThan(usage.heapUsed);
  });
});
