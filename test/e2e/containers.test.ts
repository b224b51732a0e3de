import { createHash, randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalPodman, startPodman } from "../../scripts/podman.js";
import { TestStack } from "../support/stack.js";
import { eventually } from "../support/eventually.js";

const DEVICE = "orin-ai-1";
const MODEL = randomBytes(4 * 1024 * 1024);
const MODEL_SHA = createHash("sha256").update(MODEL).digest("hex");

let stack: TestStack;
let mcp: Client;
let podman: LocalPodman;
let models: Server;
let modelsUrl: string;
let serveModel: (req: IncomingMessage, res: ServerResponse) => void;
let volumes: string;

beforeAll(async () => {
  stack = await TestStack.start();
  podman = await startPodman(path.join(stack.dir, "podman"));
  volumes = path.join(stack.dir, "volumes");
  await mkdir(path.join(volumes, "data"), { recursive: true });
  await writeFile(path.join(volumes, "data/hello.txt"), "mounted from the device\n");
  models = createServer((req, res) => serveModel(req, res));
  await new Promise<void>((resolve) => models.listen(0, "127.0.0.1", resolve));
  modelsUrl = `http://127.0.0.1:${(models.address() as AddressInfo).port}`;
  await stack.addBridge(DEVICE, "orin-nano-super-jp6", {
    extraConfig: {
      docker: { socket: podman.socketPath, volumeRoots: [path.join(volumes, "data")] },
      // The test's model server runs on this machine, which a device downloads from only when told to.
      models: { dir: path.join(stack.dir, "models"), minFreeBytes: 0, localSources: [modelsUrl] },
    },
  });
  mcp = await stack.mcp();
});

afterAll(async () => {
  await mcp?.close();
  await stack?.stop();
  await podman?.stop();
  await new Promise((resolve) => (models ? models.close(resolve) : resolve(undefined)));
});

async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await mcp.callTool({ name, arguments: { device: DEVICE, ...args } })) as CallToolResult;
}

function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === "text" ? c.text : "")).join("");
}

function data<T>(result: CallToolResult): T {
  if (result.isError) throw new Error(`tool failed: ${text(result)}`);
  return result.structuredContent as T;
}

type Listed = { containers: Array<{ name: string; state: string; image: string; gpu: boolean }> };
type Logs = { lines: Array<{ stream: string; text: string }> };

describe("containers on a real Engine API (podman), through MCP", () => {
  it("offers the container and AI tools with honest hints", async () => {
    const { tools } = await mcp.listTools();
    const hints = new Map(tools.map((t) => [t.name, t.annotations]));
    expect(hints.get("containers_list")).toMatchObject({ readOnlyHint: true });
    expect(hints.get("containers_pull")).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    expect(hints.get("containers_run")).toMatchObject({ readOnlyHint: false });
    expect(hints.get("containers_remove")).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(hints.get("ai_model_deploy")).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    expect(hints.get("ai_model_remove")).toMatchObject({ destructiveHint: true });
    expect(tools.find((t) => t.name === "containers_stats")?.outputSchema).toBeDefined();
  });

  it("runs a container, lists it, reads its logs and stats, stops and removes it", async () => {
    const started = data<{ name: string; state: string }>(
      await call("containers_run", {
        image: podman.image,
        name: "e2e-hello",
        command: ["sh", "-c", "echo hello from busybox; echo careful >&2; cat /data/hello.txt; sleep 300"],
        volumes: [{ hostPath: path.join(volumes, "data"), containerPath: "/data", readOnly: true }],
        network: "none",
      }),
    );
    expect(started).toMatchObject({ name: "e2e-hello", state: "running" });

    const listed = data<Listed>(await call("containers_list", {}));
    expect(listed.containers.find((c) => c.name === "e2e-hello")).toMatchObject({ state: "running", image: podman.image, gpu: false });

    const logs = await eventually(
      async () => data<Logs>(await call("containers_logs", { container: "e2e-hello", tail: 50 })),
      (l) => l.lines.length >= 3,
    );
    // The engine reads stdout and stderr from separate pipes: each stream keeps its order, their interleaving is not fixed.
    const stream = (name: string) => logs.lines.filter((l) => l.stream === name).map((l) => l.text);
    expect(stream("stdout")).toEqual(["hello from busybox", "mounted from the device"]);
    expect(stream("stderr")).toEqual(["careful"]);
    expect(logs.lines).toHaveLength(3);

    const stats = data<{ cpuPercent: number; memory: { usageBytes: number; limitBytes: number }; pids?: number }>(
      await call("containers_stats", { container: "e2e-hello" }),
    );
    expect(stats.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(stats.memory.usageBytes).toBeGreaterThan(0);
    expect(stats.memory.limitBytes).toBeGreaterThan(stats.memory.usageBytes);

    const inspected = data<{ mounts: Array<{ destination: string; readOnly: boolean }> }>(await call("containers_inspect", { container: "e2e-hello" }));
    expect(inspected.mounts).toContainEqual(expect.objectContaining({ destination: "/data", readOnly: true }));

    expect(data(await call("containers_stop", { container: "e2e-hello", graceSeconds: 1 }))).toMatchObject({ changed: true, state: "exited" });
    expect(data(await call("containers_stop", { container: "e2e-hello", graceSeconds: 1 }))).toMatchObject({ changed: false });

    const unconfirmed = await call("containers_remove", { container: "e2e-hello" });
    expect(unconfirmed.isError).toBe(true);
    expect(data(await call("containers_remove", { container: "e2e-hello", confirm: true }))).toEqual({ container: "e2e-hello", removed: true });
    expect(data<Listed>(await call("containers_list", {})).containers.map((c) => c.name)).not.toContain("e2e-hello");
  });

  it("says to pull an image that is not there, and that a name is taken", async () => {
    const missing = await call("containers_run", { image: "localhost/no-such-image:1", network: "none" });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toMatch(/Image localhost\/no-such-image:1 is not on the device: pull it first with containers_pull/);

    const args = { image: podman.image, name: "e2e-twice", command: ["sleep", "60"], network: "none" };
    data(await call("containers_run", args));
    const again = await call("containers_run", args);
    expect(text(again)).toMatch(/The container name e2e-twice is already taken: choose another name, or remove the old container/);
    data(await call("containers_remove", { container: "e2e-twice", force: true, confirm: true }));
  });

  it("refuses GPU access on an engine without the NVIDIA runtime, and volumes outside the roots", async () => {
    const gpu = await call("containers_run", { image: podman.image, gpu: true, network: "none" });
    expect(text(gpu)).toMatch(/GPU access needs the NVIDIA container runtime, which this Docker Engine does not have/);
    const outside = await call("containers_run", { image: podman.image, network: "none", volumes: [{ hostPath: "/etc", containerPath: "/host-etc" }] });
    expect(text(outside)).toMatch(/\/etc is not one of the folders containers may mount/);
  });

  it("gives a clear error when the registry cannot be reached", async () => {
    const result = await call("containers_pull", { image: "127.0.0.1:1/nothing/here:1" });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/could not reach the registry for 127\.0\.0\.1:1\/nothing\/here:1: check its network/);
  });
});

describe("AI workloads through MCP", () => {
  it("deploys a model with progress notifications before the result, then benchmarks and removes it", async () => {
    serveModel = (_req, res) => res.writeHead(200, { "Content-Length": String(MODEL.length) }).end(MODEL);
    const progress: number[] = [];
    let resultSeen = false;
    const result = (await mcp.callTool(
      { name: "ai_model_deploy", arguments: { device: DEVICE, name: "detector.onnx", url: `${modelsUrl}/detector.onnx`, sha256: MODEL_SHA } },
      undefined,
      { onprogress: (p) => (resultSeen ? undefined : progress.push(p.progress)) },
    )) as CallToolResult;
    resultSeen = true;
    expect(data(result)).toEqual({ name: "detector.onnx", sizeBytes: MODEL.length, sha256: MODEL_SHA, alreadyPresent: false, resumedFromBytes: 0 });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(MODEL.length);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);

    const listed = data<{ models: Array<{ name: string; sha256: string }> }>(await call("ai_model_list", {}));
    expect(listed.models).toEqual([expect.objectContaining({ name: "detector.onnx", sha256: MODEL_SHA, sizeBytes: MODEL.length })]);

    const bench = data<{ throughputQps: number; tensorrtVersion: string; latencyMs: { p99: number; median: number } }>(
      await call("ai_benchmark", { model: "detector.onnx", precision: "fp16", durationSeconds: 1 }),
    );
    expect(bench.tensorrtVersion).toBe("10.3.0");
    expect(bench.throughputQps).toBeGreaterThan(0);
    expect(bench.latencyMs.p99).toBeGreaterThanOrEqual(bench.latencyMs.median);

    const served = await call("ai_serve", { model: "detector.onnx", image: podman.image, network: "none" });
    expect(text(served)).toMatch(/NVIDIA container runtime/);

    expect(data(await call("ai_model_remove", { name: "detector.onnx", confirm: true }))).toMatchObject({ removed: true, freedBytes: MODEL.length });
  });

  it("keeps nothing of a download whose checksum does not match, and refuses one larger than the free space", async () => {
    serveModel = (_req, res) => res.writeHead(200, { "Content-Length": String(MODEL.length) }).end(MODEL);
    const mismatch = await call("ai_model_deploy", { name: "bad.onnx", url: `${modelsUrl}/bad.onnx`, sha256: "0".repeat(64) });
    expect(text(mismatch)).toMatch(/Checksum mismatch for bad.onnx: .* Nothing was kept in the store/);

    serveModel = (_req, res) => {
      res.writeHead(200, { "Content-Length": String(10 * 1024 ** 4) });
      res.flushHeaders();
    };
    const huge = await call("ai_model_deploy", { name: "huge.onnx", url: `${modelsUrl}/huge.onnx`, sha256: MODEL_SHA });
    expect(text(huge)).toMatch(/Not enough space for huge.onnx/);
    expect(data(await call("ai_model_list", {}))).toMatchObject({ models: [], partial: [] });
  });

  it("reports the device's AI stack", async () => {
    const inventory = data<{ libraries: { cuda?: { version: string } }; images: { available: boolean }; frameworks: unknown[] }>(await call("ai_inventory", {}));
    expect(inventory.libraries.cuda?.version).toBe("12.6.68");
    expect(inventory.images.available).toBe(true);
    expect(inventory.frameworks).toHaveLength(3);
  });
});

describe("a stopped engine", () => {
  it("says how to start Docker again", async () => {
    await podman.stop();
    const result = await call("containers_list", {});
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/Docker is not running or its socket .*podman\.sock is missing: start it with sudo systemctl start docker/);
  });
});
