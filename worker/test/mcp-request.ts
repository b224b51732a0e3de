import { env, exports } from "cloudflare:workers";

export type Send = (request: Request) => Promise<Response>;

export interface McpAnswer {
  response: Response;
  body: { result?: Record<string, unknown> & { isError?: boolean; content?: Array<{ text: string }>; structuredContent?: unknown } };
}

interface Options {
  send?: Send;
  url?: string;
  /** Behave like a polite client: on 429, wait the Retry-After and ask again. */
  waitOnRateLimit?: boolean;
}

/** One JSON-RPC request to /mcp (stateless: no initialize needed), answered as JSON or one SSE event. */
export async function mcpRequest(
  token: string | undefined,
  method: string,
  params: Record<string, unknown> = {},
  { send = (request) => exports.default.fetch(request), url = `${env.PUBLIC_URL}/mcp`, waitOnRateLimit = false }: Options = {},
): Promise<McpAnswer> {
  for (;;) {
    const response = await send(
      new Request(url, {
        method: "POST",
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          "Content-Type": "application/json",
          Accept: "application/json, text/event-stream",
          "MCP-Protocol-Version": "2025-06-18",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      }),
    );
    if (response.status === 429 && waitOnRateLimit) {
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get("Retry-After") ?? 1) * 1000));
      continue;
    }
    return { response, body: answerOf(await response.text()) as McpAnswer["body"] };
  }
}

/** A JSON-RPC answer, sent as JSON or as one SSE event. */
function answerOf(text: string): unknown {
  return JSON.parse(text.startsWith("{") ? text : (text.split("\n").find((line) => line.startsWith("data: "))?.slice(6) ?? "{}"));
}

export interface RpcAnswer {
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

const MODERN = "2026-07-28";

/**
 * One JSON-RPC request to /mcp as a client of revision `era` sends it: on 2026-07-28 with the
 * `Mcp-Method` header, `Mcp-Name` (the tool, prompt or resource `name` names) and its envelope
 * in `_meta`, declaring `capabilities`.
 */
export async function rpcRequest(
  token: string,
  era: "2025-11-25" | typeof MODERN,
  method: string,
  params: Record<string, unknown>,
  { name, client, capabilities = {} }: { name?: string; client: string; capabilities?: Record<string, unknown> },
): Promise<RpcAnswer> {
  const modern = era === MODERN;
  const envelope = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientInfo": { name: client, version: "1.0.0" },
    "io.modelcontextprotocol/clientCapabilities": capabilities,
  };
  const response = await exports.default.fetch(`${env.PUBLIC_URL}/mcp`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      "MCP-Protocol-Version": era,
      ...(modern ? { "Mcp-Method": method, ...(name ? { "Mcp-Name": name } : {}) } : {}),
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 7, method, params: modern ? { ...params, _meta: envelope } : params }),
  });
  return answerOf(await response.text()) as RpcAnswer;
}
