import { mkdtemp, mkdir, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ActionInput, type ActionName, type ActionOutput, findAction } from "@jetson/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeEngine, json, startFakeEngine } from "../containers/fake-engine.js";
import { NodeHost } from "../host/node-host.js";
import { createWorkloads } from "../workloads.js";
import { handlers } from "./index.js";
import { ActionError } from "../action-error.js";
import { type ActionContext } from "./types.js";

let engine: FakeEngine;
let dir: string;
let progress: Array<[number, number | undefined, string | undefined]>;

function context(socketPath = engine.socketPath): ActionContext {
  return {
    host: new NodeHost({ root: dir, programDirs: [dir], defaultTimeoutMs: 1_000, defaultMaxOutputBytes: 1_000 }),
    stateDir: dir,
    bridgeVersion: "test",
    workloads: createWorkloads({
      docker: { socket: socketPath, volumeRoots: [path.join(dir, "volumes/data")] },
      models: { dir: path.join(dir, "models"), minFreeBytes: 0 },
    }),
    signal: new AbortController().signal,
    progress: (done, total, message) => progress.push([done, total, message]),
    reportState: async () => undefined,
  };
}

/** Runs a handler as the dispatcher does: input parsed by the catalogue, output checked. */
async function run<N extends ActionName>(action: N, input: ActionInput<N> | Record<string, unknown>, ctx = context()): Promise<ActionOutput<N>> {
  const definition = findAction(action);
  if (!definition) throw new Error(`no action ${action}`);
  const handler = handlers[action] as (input: unknown, context: ActionContext) => Promise<unknown>;
  return definition.output.parse(await handler(definition.input.parse(input), ctx)) as ActionOutput<N>;
}

async function failure(promise: Promise<unknown>): Promise<ActionError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof ActionError)) throw new Error(`expected an ActionError, got ${String(error)}`);
  return error;
}

const INSPECT = {
  Id: "0123456789abcdef0123",
  Name: "/web",
  Image: "sha256:feed",
  State: { Status: "running", Running: true },
  Config: { Image: "nvcr.io/nvidia/l4t-base:r36.2.0", Tty: false, Env: ["PATH=/bin", "TOKEN=secret"], Labels: {} },
  HostConfig: { Runtime: "nvidia", NetworkMode: "host" },
};

function withRuntimes(runtimes: string[]): void {
  engine.routes.set("GET /info", (_r, res) => json(res, 200, { ServerVersion: "27.3.1", Runtimes: Object.fromEntries(runtimes.map((r) => [r, { path: r }])) }));
}

beforeEach(async () => {
  engine = await startFakeEngine();
  dir = await mkdtemp(path.join(tmpdir(), "containers-"));
  await mkdir(path.join(dir, "volumes/data"), { recursive: true });
  progress = [];
  engine.routes.set("POST /containers/create", (_r, res) => json(res, 201, { Id: INSPECT.Id, Warnings: [] }));
  engine.routes.set(`POST /containers/${INSPECT.Id}/start`, (_r, res) => res.writeHead(204).end());
  engine.routes.set(`GET /containers/${INSPECT.Id}/json`, (_r, res) => json(res, 200, INSPECT));
  engine.routes.set("GET /containers/web/json", (_r, res) => json(res, 200, INSPECT));
});
afterEach(() => engine.close());

describe("containers.run", () => {
  it("asks for the NVIDIA runtime, checked mounts, ports, env and restart policy", async () => {
    withRuntimes(["runc", "nvidia"]);
    const result = await run("containers.run", {
      image: "nvcr.io/nvidia/l4t-base:r36.2.0",
      name: "web",
      command: ["python3", "-m", "http.server"],
      env: { MODE: "prod" },
      ports: [{ containerPort: 8000, hostPort: 18000 }],
      volumes: [{ hostPath: path.join(dir, "volumes/data"), containerPath: "/data", readOnly: true }],
      restart: "unless-stopped",
      gpu: true,
    });
    expect(result).toEqual({ id: "0123456789ab", name: "web", state: "running", warnings: [] });
    const create = engine.requests.find((r) => r.path === "/containers/create");
    expect(create?.query.get("name")).toBe("web");
    expect(create?.body).toEqual({
      Image: "nvcr.io/nvidia/l4t-base:r36.2.0",
      Cmd: ["python3", "-m", "http.server"],
      Env: ["MODE=prod"],
      Labels: {},
      ExposedPorts: { "8000/tcp": {} },
      HostConfig: {
        PortBindings: { "8000/tcp": [{ HostIp: "", HostPort: "18000" }] },
        Mounts: [{ Type: "bind", Source: path.join(dir, "volumes/data"), Target: "/data", ReadOnly: true }],
        RestartPolicy: { Name: "unless-stopped" },
        Runtime: "nvidia",
      },
    });
    expect(engine.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /info",
      "POST /containers/create",
      `POST /containers/${INSPECT.Id}/start`,
      `GET /containers/${INSPECT.Id}/json`,
    ]);
  });

  it("refuses GPU access on an engine without the NVIDIA runtime, before creating anything", async () => {
    withRuntimes(["runc", "crun"]);
    const error = await failure(run("containers.run", { image: "busybox", gpu: true }));
    expect(error.code).toBe("not_supported");
    expect(error.message).toMatch(/needs the NVIDIA container runtime, which this Docker Engine does not have: install it/);
    expect(engine.requests.map((r) => r.path)).toEqual(["/info"]);
  });

  it("refuses volumes outside the configured roots without asking the engine", async () => {
    const error = await failure(run("containers.run", { image: "busybox", volumes: [{ hostPath: "/etc", containerPath: "/etc" }] }));
    expect(error.code).toBe("permission_denied");
    expect(engine.requests).toEqual([]);
  });

  it("mounts a configured folder only as a whole, by its real path: a folder inside it could be swapped for a link to / by a container that mounts the root", async () => {
    const root = path.join(dir, "volumes/data");
    await mkdir(path.join(root, "inner"));
    const mount = (hostPath: string) => run("containers.run", { image: "busybox", volumes: [{ hostPath, containerPath: "/d" }] });
    expect(await failure(mount(path.join(root, "inner")))).toMatchObject({ code: "permission_denied" });
    expect(engine.requests).toEqual([]);
    await symlink(root, path.join(dir, "link-to-data"));
    await mount(path.join(dir, "link-to-data/"));
    expect(engine.requests.find((r) => r.path === "/containers/create")?.body).toMatchObject({ HostConfig: { Mounts: [{ Source: root, Target: "/d" }] } });
  });

  it("says to pull a missing image, and that a name is taken (Docker's 409 or podman's 500)", async () => {
    engine.routes.set("POST /containers/create", (_r, res) => json(res, 404, { message: "No such image: l4t-base:r36.2.0" }));
    expect((await failure(run("containers.run", { image: "l4t-base:r36.2.0" }))).message).toMatch(
      /Image l4t-base:r36.2.0 is not on the device: pull it first with containers_pull/,
    );
    engine.routes.set("POST /containers/create", (_r, res) =>
      json(res, 409, { message: 'Conflict. The container name "/web" is already in use by container "0123". You have to remove (or rename) that container to be able to reuse that name.' }),
    );
    expect((await failure(run("containers.run", { image: "busybox", name: "web" }))).message).toMatch(/container name web is already taken/);
    engine.routes.set("POST /containers/create", (_r, res) =>
      json(res, 500, { cause: "that name is already in use", message: 'creating container storage: the container name "web" is already in use by 0123' }),
    );
    expect((await failure(run("containers.run", { image: "busybox", name: "web" }))).message).toMatch(/container name web is already taken/);
  });

  it("removes a container that was created but would not start, so its name stays free", async () => {
    engine.routes.set(`POST /containers/${INSPECT.Id}/start`, (_r, res) => json(res, 500, { message: "driver failed programming external connectivity: Bind for 0.0.0.0:80 failed: port is already allocated" }));
    engine.routes.set(`DELETE /containers/${INSPECT.Id}`, (_r, res) => res.writeHead(204).end());
    const error = await failure(run("containers.run", { image: "busybox", ports: [{ containerPort: 80 }] }));
    expect(error.message).toMatch(/host port it asks for is already in use on the device: choose another hostPort/);
    const removal = engine.requests.find((r) => r.method === "DELETE");
    expect(removal?.query.get("force")).toBe("true");
  });
});

describe("the other container actions", () => {
  it("says how to bring a stopped or missing engine back", async () => {
    const error = await failure(run("containers.list", {}, context(path.join(dir, "no-such.sock"))));
    expect(error.code).toBe("unavailable");
    expect(error.message).toBe(
      `Docker is not running or its socket ${path.join(dir, "no-such.sock")} is missing: start it with sudo systemctl start docker (or set docker.socket in the bridge configuration to where the engine listens).`,
    );
  });

  it("lists containers with the runtime each uses", async () => {
    engine.routes.set("GET /containers/json", (_r, res) =>
      json(res, 200, [{ Id: INSPECT.Id, Names: ["/web"], Image: "l4t-base", State: "running", Status: "Up 2 hours", Created: 1_795_477_072, Ports: [{ PrivatePort: 8000, PublicPort: 18000, Type: "tcp", IP: "0.0.0.0" }] }]),
    );
    const { containers } = await run("containers.list", {});
    expect(containers).toEqual([
      {
        id: "0123456789ab",
        name: "web",
        image: "l4t-base",
        state: "running",
        status: "Up 2 hours",
        createdAt: new Date(1_795_477_072_000).toISOString(),
        ports: [{ containerPort: 8000, hostPort: 18000, hostIp: "0.0.0.0", protocol: "tcp" }],
        runtime: "nvidia",
        gpu: true,
      },
    ]);
    expect(engine.requests[0]?.query.get("all")).toBe("true");
  });

  it("inspects without revealing environment values", async () => {
    const inspected = await run("containers.inspect", { container: "web" });
    expect(inspected.envNames).toEqual(["PATH", "TOKEN"]);
    expect(JSON.stringify(inspected)).not.toContain("secret");
  });

  it("reports a start that changed nothing", async () => {
    engine.routes.set(`POST /containers/${INSPECT.Id}/start`, (_r, res) => res.writeHead(304).end());
    expect(await run("containers.start", { container: "web" })).toEqual({ container: "web", changed: false, state: "running" });
  });

  it("reads logs with tail and since, and demultiplexes them", async () => {
    engine.routes.set(`GET /containers/${INSPECT.Id}/logs`, (_r, res) => {
      const frame = (stream: number, text: string) => {
        const header = Buffer.alloc(8);
        header[0] = stream;
        header.writeUInt32BE(Buffer.byteLength(text), 4);
        return Buffer.concat([header, Buffer.from(text)]);
      };
      res.writeHead(200).end(Buffer.concat([frame(1, "2026-11-23T23:37:57Z up\n"), frame(2, "2026-11-23T23:37:58Z warn\n")]));
    });
    const logs = await run("containers.logs", { container: "web", tail: 20, since: "10m" });
    expect(logs.lines.map((l) => `${l.stream}:${l.text}`)).toEqual(["stdout:up", "stderr:warn"]);
    const query = engine.requests.at(-1)?.query;
    expect(query?.get("tail")).toBe("20");
    expect(Number(query?.get("since"))).toBeCloseTo(Date.now() / 1000 - 600, -1);
    expect(query?.get("timestamps")).toBe("true");
  });

  it("streams pull progress and names the tag", async () => {
    engine.routes.set("POST /images/create", (_r, res) => {
      res.writeHead(200);
      const events = [
        { status: "Pulling fs layer", id: "a1" },
        { status: "Downloading", id: "a1", progressDetail: { current: 500, total: 1000 } },
        { status: "Downloading", id: "a1", progressDetail: { current: 1000, total: 1000 } },
        { status: "Pull complete", id: "a1" },
      ];
      res.end(events.map((e) => JSON.stringify(e)).join("\r\n"));
    });
    engine.routes.set("GET /images/dustynv/ollama:r36.4.0/json", (_r, res) => json(res, 200, { Id: "sha256:abcdef0123456789", Size: 1234 }));
    const result = await run("containers.pull", { image: "dustynv/ollama:r36.4.0" });
    expect(result).toEqual({ image: "dustynv/ollama:r36.4.0", id: "abcdef012345", sizeBytes: 1234 });
    const pull = engine.requests.find((r) => r.path === "/images/create");
    expect([pull?.query.get("fromImage"), pull?.query.get("tag")]).toEqual(["dustynv/ollama", "r36.4.0"]);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]?.[0]).toBeGreaterThanOrEqual(0);
  });
});
