// For tests: a stand-in Docker Engine API on a unix socket, answering from a route table and
// recording every request, so the bridge's own HTTP client and socket code are what is tested.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

type Route = (request: SeenRequest, res: ServerResponse) => void;

export interface FakeEngine {
  socketPath: string;
  requests: SeenRequest[];
  /** Routes by "METHOD /path" (the API version stripped); unknown ones answer 404 "page not found". */
  routes: Map<string, Route>;
  close(): Promise<void>;
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}

export async function startFakeEngine(): Promise<FakeEngine> {
  const dir = await mkdtemp(path.join(tmpdir(), "fake-engine-"));
  const socketPath = path.join(dir, "docker.sock");
  const requests: SeenRequest[] = [];
  const routes = new Map<string, Route>();
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://docker");
    const text = Buffer.concat(chunks).toString("utf8");
    const seen = { method: req.method ?? "GET", path: decodeURIComponent(url.pathname).replace(/^\/v1\.41/, ""), query: url.searchParams, body: text ? (JSON.parse(text) as unknown) : undefined };
    requests.push(seen);
    const route = routes.get(`${seen.method} ${seen.path}`);
    if (route) route(seen, res);
    else json(res, 404, { message: "page not found" });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    requests,
    routes,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
