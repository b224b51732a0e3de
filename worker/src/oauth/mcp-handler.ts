import type { OAuthResourceAuth, OAuthResourceContext } from "@cloudflare/workers-oauth-provider";
import { type Caller, CallerSchema } from "@jetson/protocol";
import { Hono } from "hono";
import { limitBody } from "../app.js";
import type { Env } from "../env.js";
import { Fleet } from "../fleet.js";
import { handleMcpRequest } from "../mcp/server.js";

/**
 * The caller behind a request the provider let through: `props` is either an API token's
 * caller (from `resolveExternalToken`) or what the consent page stored for an OAuth grant.
 */
export function callerOf(props: unknown, auth: OAuthResourceAuth): Caller {
  const caller = CallerSchema.parse(props);
  // A client may ask the token endpoint for fewer scopes than its grant holds: the token's count.
  return caller.kind === "oauth" ? { ...caller, scopes: caller.scopes.filter((scope) => auth.scope.includes(scope)) } : caller;
}

/** /mcp, once the provider has checked the bearer token. */
export const mcpHandler = new Hono<{ Bindings: Env }>()
  .use(limitBody)
  .post("/mcp", (c) => {
    // The provider puts the verified token (`auth`) beside `props` on the context it passes.
    const { props, auth } = c.executionCtx as OAuthResourceContext<unknown>;
    return handleMcpRequest(c.req.raw, new Fleet(c.env, callerOf(props, auth)));
  })
  // Stateless MCP: no server-initiated stream and no sessions to delete.
  .all("/mcp", (c) => c.text("Method Not Allowed", 405, { Allow: "POST" }));
