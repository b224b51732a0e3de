import type { OAuthResourceAuth, OAuthResourceContext } from "@cloudflare/workers-oauth-provider";
import { type Caller, CallerSchema } from "@jetson/protocol";
import { type Context, Hono } from "hono";
import { limitBody } from "../app.js";
import { credentialCache } from "../credential-cache.js";
import type { Env } from "../env.js";
import { Fleet, registryStub } from "../fleet.js";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../json-depth.js";
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

/** A caller over its rate limit, whichever its credential: 429 with Retry-After, as the provider answers an ExternalTokenError. */
export function rateLimited(retryAfterSeconds: number) {
  return {
    code: "temporarily_unavailable",
    description: "Too many requests for this token",
    statusCode: 429,
    headers: { "Retry-After": String(retryAfterSeconds) },
  } as const;
}

/** An OAuth grant's own key in its fleet's rate limiter: its client and approving operator, apart from any token's id. */
const grantKey = (caller: Caller) => `oauth:${caller.id}:${caller.user ?? ""}`;

/** JSON-RPC's "Invalid Request", for a body refused before the MCP server sees it. */
const invalidRequest = (c: Context, message: string) => c.json({ jsonrpc: "2.0", id: null, error: { code: -32600, message } }, 400);

/** /mcp, once the provider has checked the bearer token. */
export const mcpHandler = new Hono<{ Bindings: Env; Variables: { caller: Caller } }>()
  .use(async (c, next) => {
    // The provider puts the verified token (`auth`) beside `props` on the context it passes.
    const { props, auth } = c.executionCtx as OAuthResourceContext<unknown>;
    const caller = callerOf(props, auth);
    // An API token was charged as `resolveExternalToken` looked it up; the provider checks its own tokens without us.
    if (caller.kind === "oauth") {
      const key = grantKey(caller);
      const charged = await credentialCache.check("grant", caller.fleet, key, (served) => registryStub(c.env, caller.fleet).chargeGrant(key, served));
      if (!charged.ok && charged.reason === "rate_limited") {
        const refusal = rateLimited(charged.retryAfterSeconds);
        return c.json({ error: refusal.code, error_description: refusal.description }, refusal.statusCode, {
          ...refusal.headers,
          "Cache-Control": "no-store",
          Pragma: "no-cache",
        });
      }
    }
    c.set("caller", caller);
    await next();
  })
  .use(limitBody)
  .post("/mcp", async (c) => {
    const body = await c.req.text();
    if (nestsDeeperThan(body)) return invalidRequest(c, `JSON nested deeper than ${MAX_JSON_DEPTH} levels.`);
    // One request, one message: the token's rate limit is charged per request, and neither MCP revision served here has batches.
    if (body.trimStart().startsWith("[")) return invalidRequest(c, "Batches are not supported: send one JSON-RPC message per request.");
    let message: unknown;
    try {
      message = JSON.parse(body);
    } catch {
      return c.json({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error: the body is not JSON." } }, 400);
    }
    const request = new Request(c.req.raw.url, { method: "POST", headers: c.req.raw.headers, body });
    return handleMcpRequest(request, message, new Fleet(c.env, c.var.caller));
  })
  // Stateless MCP: no server-initiated stream and no sessions to delete.
  .all("/mcp", (c) => c.text("Method Not Allowed", 405, { Allow: "POST" }));
