import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { type ActionInput, type ActionName, findAction } from "@jetson/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { json, startFakeEngine } from "../containers/fake-engine.js";
import { createWorkloads } from "../workloads.js";
import { handlers } from "./index.js";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";
import type { ActionContext } from "./types.js";

// A handler stopped by its signal (a cancel, the bridge stopping) throws: what it would answer then is
// not what the command asked for, and the dispatcher answers for it that it was stopped.

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A simulated board that calls `beforeRun` as each program starts. */
async function board(beforeRun: (on: SimulatedBoard) => void = () => undefined): Promise<SimulatedBoard> {
  const made: SimulatedBoard = await simulatedBoard("orin-nano-super-jp6", (host) => ({
    run: (program, args, options) => {
      beforeRun(made);
      return host.run(program, args, options);
    },
    readFile: (p) => host.readFile(p),
    writeFile: (p, data) => host.writeFile(p, data),
    listDir: (p) => host.listDir(p),
    statFs: (p) => host.statFs(p),
    actingProcess: () => host.actingProcess(),
  }));
  cleanups.push(() => made.remove());
  return made;
}

describe("a handler stopped by its signal", () => {
  it("network.ping throws rather than answer that the host is unreachable", async () => {
    // Stopped as ping starts: it sends no probe, which alone would read as a host that does not answer.
    const on = await board((self) => self.cancel());
    await expect(on.run("network.ping", { host: "nvidia.com", count: 3 })).rejects.toThrow(/aborted/);
  });

  it("ai.serve_status throws rather than answer that a server it could not finish asking is unhealthy", async () => {
    const engine = await startFakeEngine();
    cleanups.push(() => engine.close());
    const stop = new AbortController();
    // The server's health check is stopped while it waits for the answer.
    const server = createServer(() => stop.abort());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    });
    const healthUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/health/ready`;
    const inspect = {
      Id: "feedfacefeedface",
      Name: "/triton",
      Image: "sha256:aa",
      State: { Status: "running", Running: true },
      Config: { Image: "nvcr.io/nvidia/tritonserver:24.08-py3-igpu", Labels: { "io.jetson-bridge.model": "yolov8n.onnx", "io.jetson-bridge.health-url": healthUrl } },
      HostConfig: { Runtime: "nvidia" },
    };
    engine.routes.set("GET /containers/triton/json", (_r, res) => json(res, 200, inspect));
    const on = await board();
    const context: ActionContext = {
      host: on.host,
      stateDir: on.stateDir,
      bridgeVersion: "test",
      workloads: createWorkloads({ docker: { socket: engine.socketPath, volumeRoots: [] }, models: { dir: path.join(on.stateDir, "models"), minFreeBytes: 0 } }),
      signal: stop.signal,
      progress: () => undefined,
      reportState: async () => undefined,
    };
    await expect(run("ai.serve_status", { container: "triton" }, context)).rejects.toThrow(/aborted/);
  });
});

/** Runs a handler as the dispatcher does: input parsed, output checked. */
async function run<N extends ActionName>(action: N, input: ActionInput<N>, context: ActionContext): Promise<unknown> {
  const definition = findAction(action);
  if (!definition) throw new Error(`no action ${action}`);
  const handler = handlers[action] as (input: unknown, context: ActionContext) => Promise<unknown>;
  return definition.output.parse(await handler(definition.input.parse(input), context));
}
