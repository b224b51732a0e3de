import { isLoopbackHost } from "./loopback.js";

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

/**
 * MCP (revision 2025-11-25) requires a server to answer 403 to a request whose Origin is
 * present and not its own. This runs in front of the OAuth provider, so a foreign page gets
 * neither the token check's answer nor the provider's CORS headers (which reflect any Origin),
 * whatever handler serves /mcp behind it. Requests without Origin (non-browser clients) pass.
 */
export function refuseForeignMcpOrigin(request: Request, publicUrl: string): Response | undefined {
  const { pathname } = new URL(request.url);
  if (pathname !== MCP_PATH && !pathname.startsWith(`${MCP_PATH}/`)) return undefined;
  const origin = request.headers.get("Origin");
  if (origin === null || isOwnOrigin(origin, publicUrl)) return undefined;
  return Response.json({ jsonrpc: "2.0", error: { code: -32000, message: `Requests from origin ${origin} are not accepted here.` } }, { status: 403 });
}
