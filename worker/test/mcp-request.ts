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
    const text = await response.text();
    const data = text.startsWith("{") ? text : (text.split("\n").find((l) => l.startsWith("data: "))?.slice(6) ?? "{}");
    return { response, body: JSON.parse(data) as McpAnswer["body"] };
  }
}
