import { type IncomingMessage, request } from "node:http";

export interface EngineRequest {
  method: "GET" | "POST" | "DELETE";
  /** Path after the API version, e.g. `/containers/json`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
}

export interface EngineResponse {
  status: number;
  /** The body as it arrives; it throws when the engine goes away mid-answer. */
  body: AsyncIterable<Buffer>;
}

/** The Docker Engine API (v1.41) behind a unix socket: the one place that speaks HTTP to it. */
export interface EngineClient {
  readonly socketPath: string;
  open(request: EngineRequest): Promise<EngineResponse>;
}

/** The socket is missing, refuses connections, or may not be used by this process. */
export class EngineUnreachableError extends Error {
  constructor(
    readonly socketPath: string,
    readonly reason: string,
  ) {
    super(`cannot reach the Docker Engine at ${socketPath}: ${reason}`);
  }
}

const CONNECT_ERRORS = new Set(["ENOENT", "ECONNREFUSED", "EACCES", "EPERM", "ENOTSOCK", "ECONNRESET"]);
// A pull or a log read can sit quiet for a while; a dead engine should not hold a command until its deadline.
const IDLE_TIMEOUT_MS = 120_000;

export class SocketEngineClient implements EngineClient {
  constructor(
    readonly socketPath: string,
    private readonly apiVersion = "v1.41",
  ) {}

  open(engineRequest: EngineRequest): Promise<EngineResponse> {
    const payload = engineRequest.body === undefined ? undefined : Buffer.from(JSON.stringify(engineRequest.body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          method: engineRequest.method,
          path: `/${this.apiVersion}${engineRequest.path}${queryString(engineRequest.query)}`,
          headers: {
            Host: "docker",
            ...(payload ? { "Content-Type": "application/json", "Content-Length": payload.length } : {}),
          },
          signal: engineRequest.signal,
        },
        (res) => resolve({ status: res.statusCode ?? 0, body: chunks(res) }),
      );
      req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(new Error(`the Docker Engine sent nothing for ${IDLE_TIMEOUT_MS / 1000} s`)));
      req.on("error", (error: NodeJS.ErrnoException) => {
        reject(error.code && CONNECT_ERRORS.has(error.code) ? new EngineUnreachableError(this.socketPath, error.code) : error);
      });
      req.end(payload);
    });
  }
}

async function* chunks(res: IncomingMessage): AsyncIterable<Buffer> {
  for await (const chunk of res) yield chunk as Buffer;
  // A connection closed before the end of a chunked body ends the loop quietly on some Node versions.
  if (!res.complete) throw new Error("the Docker Engine closed the connection in the middle of its answer");
}

function queryString(query: EngineRequest["query"]): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The whole body, refusing more than `cap` bytes (a JSON answer is never that large). */
export async function readBody(body: AsyncIterable<Buffer>, cap = 32 << 20): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > cap) throw new Error(`the Docker Engine's answer exceeds ${cap} bytes`);
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}
