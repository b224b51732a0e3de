import { isLoopbackHost } from "@jetson/protocol";

/** Where the MCP endpoint lives; the OAuth provider treats paths below it as the same API. */
const MCP_PATH = "/mcp";

function originOf(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/**
 * Pages that may call /mcp from a browser: the deployment's own origin (`PUBLIC_URL`) and,
 * when the deployment itself is on loopback (the local stack), any loopback page, such as an
 * inspector on another port. A page on a name that merely resolves here (DNS rebinding) is
 * none of these.
 */
export function isOwnOrigin(origin: string, publicUrl: string): boolean {
  const own = new URL(publicUrl);
  const page = originOf(origin);
  if (!page || page.origin === "null") return false;
  if (page.origin === own.origin) return true;
  return isLoopbackHost(own.hostname) && isLoopbackHost(page.hostname);
}

/** Whether a Host header names this deployment: its own host, or loopback when the deployment is on loopback. */
export function isOwnHost(host: string, publicUrl: string): boolean {
  const own = new URL(publicUrl);
  const named = originOf(`http://${host}`);
  if (!named || named.username || named.pathname !== "/") return false;
  if (named.hostname === own.hostname) return true;
  return isLoopbackHost(own.hostname) && isLoopbackHost(named.hostname);
}

const refusal = (message: string) => Response.json({ jsonrpc: "2.0", error: { code: -32000, message } }, { status: 403 });

/**
 * MCP requires a server to answer 403 to a request whose Origin is present and not
 * its own, and to check Host against DNS rebinding. This runs in front of the OAuth
 * provider, so a foreign page gets neither the token check's answer nor the provider's
 * CORS headers (which reflect any Origin), whatever handler serves /mcp behind it.
 * Requests without Origin (non-browser clients) pass that check.
 */
export function refuseForeignMcpRequest(request: Request, publicUrl: string): Response | undefined {
  const { pathname } = new URL(request.url);
  if (pathname !== MCP_PATH && !pathname.startsWith(`${MCP_PATH}/`)) return undefined;
  const host = request.headers.get("Host") ?? new URL(request.url).host;
  if (!isOwnHost(host, publicUrl)) return refusal(`Requests for host ${host} are not accepted here.`);
  const origin = request.headers.get("Origin");
  if (origin !== null && !isOwnOrigin(origin, publicUrl)) return refusal(`Requests from origin ${origin} are not accepted here.`);
  return undefined;
}
