import { createHash } from "node:crypto";
import { rm } from "node:fs/promises";
import { createServer, type ServerResponse } from "node:http";
import path from "node:path";
import { loadContainers, type SimContainer } from "./engine-state.js";

/** Where the simulated board's engine listens, as Docker does on a Jetson. */
export const ENGINE_SOCKET = "/run/docker.sock";

const ago = (iso: string | undefined) => Math.max(0, Math.round((Date.now() - Date.parse(iso ?? "")) / 1_000));

/** `docker ps`'s status column. */
function statusText(c: SimContainer): string {
  if (c.status === "running") return `Up ${ago(c.startedAt)} seconds`;
  if (c.status === "restarting") return `Restarting (${c.exitCode}) ${ago(c.finishedAt)} seconds ago`;
  return `Exited (${c.exitCode}) ${ago(c.finishedAt)} seconds ago`;
}

const summary = (c: SimContainer) => ({
  Id: c.id,
  Names: [`/${c.name}`],
  Image: c.image,
  State: c.status,
  Status: statusText(c),
  Created: Math.floor(Date.parse(c.createdAt) / 1_000),
  Ports: [],
});

const inspect = (c: SimContainer) => ({
  Id: c.id,
  Name: `/${c.name}`,
  Image: c.image,
  Created: c.createdAt,
  RestartCount: c.restartCount,
  State: {
    Status: c.status,
    Running: c.status === "running",
    ExitCode: c.exitCode,
    Error: "",
    StartedAt: c.startedAt,
    FinishedAt: c.finishedAt ?? "0001-01-01T00:00:00Z",
  },
  Config: { Image: c.image, Tty: false, Cmd: ["python3", "ingest.py"], Env: [], Labels: {} },
  HostConfig: { Runtime: "nvidia", NetworkMode: "host", RestartPolicy: { Name: c.restartPolicy, MaximumRetryCount: 0 } },
  NetworkSettings: { Ports: {} },
  Mounts: [],
});

/** The images the containers were created from, one entry each, as `docker images` lists them. */
function images(containers: SimContainer[]) {
  const byName = new Map(containers.map((c) => [c.image, c.imageBytes]));
  return [...byName].map(([image, bytes]) => ({
    Id: `sha256:${createHash("sha256").update(image).digest("hex")}`,
    RepoTags: [image],
    Size: bytes,
  }));
}

/** The Engine's multiplexed log stream (no TTY): per line an 8-byte header with the stream and length. */
function logFrames(c: SimContainer, tail: number, timestamps: boolean): Buffer {
  const lines = Number.isFinite(tail) && tail >= 0 ? c.logs.slice(Math.max(0, c.logs.length - tail)) : c.logs;
  return Buffer.concat(
    lines.map(({ at, stream, line }) => {
      const body = Buffer.from(`${timestamps ? `${at} ` : ""}${line}\n`);
      const header = Buffer.alloc(8);
      header[0] = stream === "stdout" ? 1 : 2;
      header.writeUInt32BE(body.length, 4);
      return Buffer.concat([header, body]);
    }),
  );
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json", "Api-Version": "1.41" }).end(JSON.stringify(body));
}

/**
 * A stand-in for the Docker Engine API (v1.41) of a simulated board, on a unix socket in its root:
 * it answers what the bridge reads (info, containers, inspect, logs) from the board's container
 * state, which its workload (a scenario) moves. Changes it does not simulate are answered 501.
 */
export async function startSimulatedEngine(root: string): Promise<{ socketPath: string; close(): Promise<void> }> {
  const socketPath = path.join(root, ENGINE_SOCKET);
  await rm(socketPath, { force: true });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://docker");
    const route = url.pathname.replace(/^\/v1\.\d+/, "");
    const containers = loadContainers(root);
    const find = (ref: string) => containers.find((c) => c.id.startsWith(ref) || c.name === ref);
    const match = /^\/containers\/([^/]+)\/(json|logs)$/.exec(route);
    if (req.method === "GET" && route === "/info") return json(res, 200, { ServerVersion: "24.0.5", Runtimes: { nvidia: {}, runc: {} }, DefaultRuntime: "runc" });
    if (req.method === "GET" && route === "/images/json") return json(res, 200, images(containers));
    if (req.method === "GET" && route === "/containers/json") {
      const all = ["1", "true"].includes(url.searchParams.get("all") ?? "");
      return json(res, 200, containers.filter((c) => all || c.status !== "exited").map(summary));
    }
    if (req.method === "GET" && match) {
      const container = find(decodeURIComponent(match[1] ?? ""));
      if (!container) return json(res, 404, { message: `No such container: ${match[1]}` });
      if (match[2] === "json") return json(res, 200, inspect(container));
      const tail = url.searchParams.get("tail");
      res.writeHead(200, { "Content-Type": "application/vnd.docker.raw-stream" });
      return res.end(logFrames(container, tail === null || tail === "all" ? Number.NaN : Number(tail), url.searchParams.get("timestamps") === "true"));
    }
    json(res, 501, { message: `${req.method} ${route} is not simulated by this board's engine` });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return { socketPath, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
