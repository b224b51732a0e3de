import { createHash } from "node:crypto";
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, realpath, rename, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { type ActionInput, type ActionName, type ActionOutput, findAction } from "@jetson/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeEngine, json, startFakeEngine } from "../containers/fake-engine.js";
import { createWorkloads } from "../workloads.js";
import { handlers } from "./index.js";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";
import type { ActionContext } from "./types.js";

let board: SimulatedBoard;
let engine: FakeEngine;
let context: ActionContext;
let progress: Array<[number, number | undefined, string | undefined]>;

async function run<N extends ActionName>(action: N, input: ActionInput<N> | Record<string, unknown>): Promise<ActionOutput<N>> {
  const definition = findAction(action);
  if (!definition) throw new Error(`no action ${action}`);
  const handler = handlers[action] as (input: unknown, context: ActionContext) => Promise<unknown>;
  return definition.output.parse(await handler(definition.input.parse(input), context)) as ActionOutput<N>;
}

beforeAll(async () => {
  board = await simulatedBoard("orin-nano-super-jp6");
  engine = await startFakeEngine();
  // No container serves a model until a test starts one.
  engine.routes.set("GET /containers/json", (_r, res) => json(res, 200, []));
  const modelsDir = path.join(board.stateDir, "models");
  await mkdir(modelsDir, { recursive: true });
  await writeFile(path.join(modelsDir, "yolov8n.onnx"), Buffer.alloc(6 * 1024 * 1024, 1));
  context = {
    host: board.host,
    stateDir: board.stateDir,
    bridgeVersion: "test",
    workloads: createWorkloads({ docker: { socket: engine.socketPath, volumeRoots: [] }, models: { dir: modelsDir, minFreeBytes: 0 } }),
    signal: new AbortController().signal,
    progress: (done, total, message) => progress.push([done, total, message]),
    reportState: async () => undefined,
  };
});
afterAll(async () => {
  await engine.close();
  await board.remove();
});

describe("ai.benchmark on a simulated Orin Nano", () => {
  it("runs trtexec on a stored model and returns its throughput and latency percentiles", async () => {
    progress = [];
    const result = await run("ai.benchmark", { model: "yolov8n.onnx", precision: "int8", durationSeconds: 1 });
    expect(result).toMatchObject({ model: "yolov8n.onnx", precision: "int8", tensorrtVersion: "10.3.0" });
    expect(result.throughputQps).toBeGreaterThan(0);
    expect(result.gpuComputeMs.p99).toBeGreaterThanOrEqual(result.gpuComputeMs.median);
    expect(result.latencyMs.p95).toBeDefined();
    const calls = (await board.calls()).filter((c) => c.program === "trtexec");
    expect(calls.at(-1)?.argv).toEqual([`--onnx=${path.join(board.stateDir, "models/yolov8n.onnx")}`, "--int8", "--duration=1"]);
    expect(progress.map(([, , message]) => message)).toEqual([
      "Parsing the ONNX model",
      "Building the TensorRT engine (minutes on a Jetson)",
      "Loading the engine",
      "Timing inference",
      "Done",
    ]);
  });

  it("says what to do about a model that is not there or not a TensorRT input", async () => {
    await expect(run("ai.benchmark", { model: "missing.onnx" })).rejects.toThrow(/no model missing.onnx in the store: deploy it first/);
    await expect(run("ai.benchmark", { model: "weights.pt" })).rejects.toThrow(/ONNX model \(.onnx\) or a TensorRT engine/);
    await expect(run("ai.benchmark", { model: "../../etc/passwd" })).rejects.toThrow();
  });
});

describe("ai.inventory on a simulated board", () => {
  it("reads library versions from the packages, and says what it could not probe", async () => {
    engine.routes.set("GET /images/json", (_r, res) =>
      json(res, 200, [
        { Id: "sha256:1111111111111111", RepoTags: ["dustynv/l4t-pytorch:r36.4.0"], Size: 9e9 },
        { Id: "sha256:2222222222222222", RepoTags: ["busybox:latest"], Size: 4e6 },
      ]),
    );
    const inventory = await run("ai.inventory", {});
    expect(inventory.libraries).toEqual({
      cuda: { package: "cuda-cudart-12-6", version: "12.6.68" },
      cudnn: { package: "libcudnn9-cuda-12", version: "9.3.0.75" },
      tensorrt: { package: "libnvinfer10", version: "10.3.0.30" },
      vpi: { package: "libnvvpi3", version: "3.2.4" },
      // NVIDIA versions its OpenCV 4.8.0-1-g6371ee1; libraries.ts keeps all but the last "-" part.
      opencv: { package: "libopencv", version: "4.8.0-1" },
    });
    expect(inventory.packagesReadable).toBe(true);
    // The simulation has no python3 to import the frameworks with.
    expect(inventory.frameworks.map((f) => [f.name, f.status, f.gpu])).toEqual([
      ["torch", "missing", false],
      ["tensorflow", "missing", false],
      ["onnxruntime", "missing", false],
    ]);
    expect(inventory.images).toEqual({ available: true, ai: [{ tags: ["dustynv/l4t-pytorch:r36.4.0"], id: "111111111111", sizeBytes: 9e9 }] });
  });
});

describe("ai.serve", () => {
  it("starts the server under the NVIDIA runtime with the store mounted read-only, and reads its health back", async () => {
    engine.routes.set("GET /info", (_r, res) => json(res, 200, { Runtimes: { runc: {}, nvidia: {} } }));
    engine.routes.set("POST /containers/create", (_r, res) => json(res, 201, { Id: "feedfacefeedface", Warnings: [] }));
    engine.routes.set("POST /containers/feedfacefeedface/start", (_r, res) => res.writeHead(204).end());
    const inspect = {
      Id: "feedfacefeedface",
      Name: "/triton",
      Image: "sha256:aa",
      RestartCount: 0,
      State: { Status: "running", Running: true },
      Config: { Image: "nvcr.io/nvidia/tritonserver:24.08-py3-igpu", Labels: { "io.jetson-bridge.model": "yolov8n.onnx", "io.jetson-bridge.health-url": "http://127.0.0.1:1/v2/health/ready" } },
      HostConfig: { Runtime: "nvidia" },
    };
    engine.routes.set("GET /containers/feedfacefeedface/json", (_r, res) => json(res, 200, inspect));
    engine.routes.set("GET /containers/triton/json", (_r, res) => json(res, 200, inspect));
    const served = await run("ai.serve", { model: "yolov8n.onnx", image: "nvcr.io/nvidia/tritonserver:24.08-py3-igpu", name: "triton", healthPath: "/v2/health/ready" });
    expect(served).toEqual({ id: "feedfacefeed", name: "triton", model: "yolov8n.onnx", state: "running", healthUrl: "http://127.0.0.1:8000/v2/health/ready" });
    const create = engine.requests.find((r) => r.path === "/containers/create")?.body as { HostConfig: Record<string, unknown>; Env: string[]; Labels: Record<string, string> };
    expect(create.HostConfig.Runtime).toBe("nvidia");
    expect(create.HostConfig.Mounts).toEqual([{ Type: "bind", Source: path.join(board.stateDir, "models"), Target: "/models", ReadOnly: true }]);
    expect(create.Env).toContain("MODEL_PATH=/models/yolov8n.onnx");
    expect(create.Labels["io.jetson-bridge.model"]).toBe("yolov8n.onnx");

    // Nothing listens at the recorded health URL: running, but not healthy.
    const status = await run("ai.serve_status", { container: "triton" });
    expect(status).toMatchObject({ container: "triton", model: "yolov8n.onnx", running: true, healthy: false, http: { ok: false } });
  });
});

describe("ai.serve with the model store replaced by a link since the configuration named it", () => {
  /** The handler with a store at `dir`, as the bridge's dispatcher calls it; the create requests the engine got. */
  async function serveFrom(dir: string): Promise<{ outcome: unknown; created: unknown[] }> {
    const workloads = createWorkloads({ docker: { socket: engine.socketPath, volumeRoots: [] }, models: { dir, minFreeBytes: 0 } });
    const definition = findAction("ai.serve");
    if (!definition) throw new Error("no ai.serve");
    const handler = handlers["ai.serve"] as (input: unknown, context: ActionContext) => Promise<unknown>;
    const before = engine.requests.length;
    const outcome = await handler(definition.input.parse({ model: "passwd", image: "someone/server:1", name: "served" }), { ...context, workloads }).catch((e: unknown) => e);
    return { outcome, created: engine.requests.slice(before).filter((r) => r.path === "/containers/create") };
  }

  beforeAll(() => {
    engine.routes.set("GET /info", (_r, res) => json(res, 200, { Runtimes: { runc: {}, nvidia: {} } }));
    engine.routes.set("POST /containers/create", (_r, res) => json(res, 201, { Id: "5e55ed5e55ed5e55", Warnings: [] }));
    engine.routes.set("POST /containers/5e55ed5e55ed5e55/start", (_r, res) => res.writeHead(204).end());
    engine.routes.set("GET /containers/5e55ed5e55ed5e55/json", (_r, res) =>
      json(res, 200, { Id: "5e55ed5e55ed5e55", Name: "/served", Image: "sha256:cc", State: { Status: "running", Running: true }, Config: { Image: "someone/server:1" }, HostConfig: {} }),
    );
  });

  it("refuses a store that a container swapped for a link to the host's /etc, mounting nothing", async () => {
    // The jetson-containers layout: a container mounting ssd/ moves models/ away and links /etc in its place.
    const base = await realpath(await mkdtemp(path.join(board.stateDir, "swap-")));
    const hostEtc = path.join(base, "etc");
    await mkdir(hostEtc);
    await writeFile(path.join(hostEtc, "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    const store = path.join(base, "ssd/models");
    await mkdir(store, { recursive: true });
    await rename(store, path.join(base, "ssd/models.old"));
    await symlink(hostEtc, store);
    const { outcome, created } = await serveFrom(store);
    expect(outcome).toMatchObject({ code: "permission_denied", message: expect.stringMatching(/model store .*ssd\/models is a symbolic link/) });
    expect(created).toEqual([]);
  });

  it("refuses a store behind a folder that became a link, and mounts a plain store by its real path", async () => {
    const base = await realpath(await mkdtemp(path.join(board.stateDir, "above-")));
    await mkdir(path.join(base, "etc/models"), { recursive: true });
    await writeFile(path.join(base, "etc/models/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    await symlink(path.join(base, "etc"), path.join(base, "ssd"));
    const { outcome, created } = await serveFrom(path.join(base, "ssd/models"));
    expect(outcome).toMatchObject({ code: "permission_denied", message: expect.stringMatching(/leads to .*etc\/models: a folder above it is a symbolic link/) });
    expect(created).toEqual([]);

    const plain = await serveFrom(path.join(base, "etc/models"));
    expect(plain.outcome).toMatchObject({ name: "served", model: "passwd" });
    const body = plain.created[0] as { body: { HostConfig: { Mounts: unknown[] } } } | undefined;
    expect(body?.body.HostConfig.Mounts).toEqual([{ Type: "bind", Source: path.join(base, "etc/models"), Target: "/models", ReadOnly: true }]);
  });
});

describe("ai.serve_status of a container whose image set the health URL label itself", () => {
  it("asks only 127.0.0.1 over plain HTTP, never another address the label names", async () => {
    const asked: string[] = [];
    // Another address of this machine (all of 127/8 is loopback on Linux): a stand-in for the LAN or a metadata service.
    const elsewhere = createServer((request, response) => {
      asked.push(request.url ?? "");
      response.end("ok");
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.2", resolve));
    try {
      const port = (elsewhere.address() as AddressInfo).port;
      for (const label of [`http://127.0.0.2:${port}/latest/meta-data`, `https://127.0.0.1:${port}/`, `http://user:pass@127.0.0.1:${port}/`, "not a url"]) {
        const inspect = {
          Id: "badc0ffeebadc0ff",
          Name: "/labelled",
          Image: "sha256:bb",
          State: { Status: "running", Running: true },
          Config: { Image: "someone/image:1", Labels: { "io.jetson-bridge.model": "m.onnx", "io.jetson-bridge.health-url": label } },
          HostConfig: {},
        };
        engine.routes.set("GET /containers/labelled/json", (_r, res) => json(res, 200, inspect));
        const status = await run("ai.serve_status", { container: "labelled" });
        expect(status.http, label).toBeUndefined();
      }
      expect(asked).toEqual([]);
    } finally {
      await new Promise((resolve) => elsewhere.close(resolve));
    }
  });
});

describe("a symlink planted in the model store", () => {
  it("is neither listed, nor benchmarked, nor followed when removed", async () => {
    const outside = path.join(board.stateDir, "secret.onnx");
    await writeFile(outside, "not yours");
    const modelsDir = path.join(board.stateDir, "models");
    await symlink(outside, path.join(modelsDir, "escape.onnx"));
    const callsBefore = (await board.calls()).length;
    const listed = await run("ai.model_list", {});
    expect(JSON.stringify(listed)).not.toContain("escape.onnx");
    await expect(run("ai.benchmark", { model: "escape.onnx" })).rejects.toThrow(/There is no model escape\.onnx in the store/);
    await expect(run("ai.model_remove", { name: "escape.onnx" })).rejects.toThrow(/There is no model escape\.onnx in the store/);
    expect(await readFile(outside, "utf8")).toBe("not yours");
    expect((await board.calls()).length).toBe(callsBefore);
  });
});

describe("ai.model_deploy with links planted in the model store", () => {
  const model = Buffer.alloc(200_000, 7);
  const sha256 = createHash("sha256").update(model).digest("hex");
  let server: Server;
  let url: string;
  let victim: string;

  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(200, { "Content-Length": String(model.length) }).end(model));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/model.onnx`;
    victim = path.join(board.stateDir, "victim");
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** The handler with a store at `dir`, as the bridge's dispatcher calls it. */
  async function deployInto(dir: string, name: string, localSources = [new URL(url).origin]): Promise<unknown> {
    const workloads = createWorkloads({ docker: { socket: engine.socketPath, volumeRoots: [] }, models: { dir, minFreeBytes: 0, localSources } });
    const definition = findAction("ai.model_deploy");
    if (!definition) throw new Error("no ai.model_deploy");
    const handler = handlers["ai.model_deploy"] as (input: unknown, context: ActionContext) => Promise<unknown>;
    return handler(definition.input.parse({ name, url, sha256 }), { ...context, workloads });
  }

  it("never writes through a .part link: it refuses, naming the link, and leaves the link and its target as they were", async () => {
    await writeFile(victim, "the victim's contents\n");
    const store = await mkdtemp(path.join(board.stateDir, "store-"));
    await symlink(victim, path.join(store, "planted.onnx.part"));
    await expect(deployInto(store, "planted.onnx")).rejects.toThrow(/planted\.onnx\.part is a symbolic link.*never follows/);
    expect(await readFile(victim, "utf8")).toBe("the victim's contents\n");
    expect(await readlink(path.join(store, "planted.onnx.part"))).toBe(victim);
    expect(await readdir(store)).toEqual(["planted.onnx.part"]);
  });

  it("refuses a store folder that is itself a link, writing nothing where it points", async () => {
    const elsewhere = await mkdtemp(path.join(board.stateDir, "elsewhere-"));
    const linked = path.join(board.stateDir, "linked-store");
    await symlink(elsewhere, linked);
    await expect(deployInto(linked, "net.onnx")).rejects.toThrow(/model store .*linked-store is a symbolic link/);
    expect(await readdir(elsewhere)).toEqual([]);
    expect((await lstat(linked)).isSymbolicLink()).toBe(true);
  });

  it("still deploys into a plain store", async () => {
    const store = await mkdtemp(path.join(board.stateDir, "store-"));
    expect(await deployInto(store, "net.onnx")).toMatchObject({ name: "net.onnx", sizeBytes: model.length, sha256, alreadyPresent: false });
    // This server is on the device itself: only models.localSources lets a download come from it.
    await expect(deployInto(store, "other.onnx", [])).rejects.toMatchObject({ code: "permission_denied", message: expect.stringMatching(/does not download from 127\.0\.0\.1/) });
    expect((await readFile(path.join(store, "net.onnx"))).equals(model)).toBe(true);
  });
});

