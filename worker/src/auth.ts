import type { Caller } from "@jetson/protocol";
import { createMiddleware } from "hono/factory";
import { credentialCache } from "./credential-cache.js";
import { fleetOfSecret, hashSecret, secretMatches } from "./credentials.js";
import type { Env } from "./env.js";
import { Fleet, registryStub } from "./fleet.js";

export interface CallerVariables {
  fleet: Fleet;
}

export type TokenResolution =
  | { ok: true; caller: Caller }
  | { ok: false; status: 401; message: string }
  | { ok: false; status: 429; message: string; retryAfterSeconds: number };

/**
 * Resolves an API token to its fleet and scopes, charging it one request against its rate limit (through this isolate's cache;
 * `fresh` asks the registry, for what outlives the request).
 */
export async function resolveApiToken(env: Env, token: string, fresh = false): Promise<TokenResolution> {
  const fleet = fleetOfSecret("token", token);
  const hash = fleet ? await hashSecret(token) : "";
  const check = fleet ? await credentialCache.check("token", fleet, hash, (served) => registryStub(env, fleet).checkToken(hash, served), fresh) : undefined;
  if (!fleet || !check || (!check.ok && check.reason === "invalid")) {
    return { ok: false, status: 401, message: "Missing, invalid or revoked token" };
  }
  if (!check.ok) {
    return { ok: false, status: 429, message: "Too many requests for this token", retryAfterSeconds: check.retryAfterSeconds };
  }
  return { ok: true, caller: { fleet, kind: "token", id: check.id, scopes: check.scopes } };
}

export function bearer(header: string | undefined): string | undefined {
  return /^Bearer (\S+)$/.exec(header ?? "")?.[1];
}

/** REST callers present an API token; the fleet it opens carries the caller's scopes. */
export const requireCaller = createMiddleware<{ Bindings: Env; Variables: CallerVariables }>(async (c, next) => {
  const resolution = await resolveApiToken(c.env, bearer(c.req.header("Authorization")) ?? "");
  if (!resolution.ok) {
    const headers: Record<string, string> =
      resolution.status === 429
        ? { "Retry-After": String(resolution.retryAfterSeconds) }
        : { "WWW-Authenticate": 'Bearer realm="jetson-fleet"' };
    return c.json({ error: resolution.message }, resolution.status, headers);
  }
  c.set("fleet", new Fleet(c.env, resolution.caller));
  await next();
});

/** The operator's root secret (ADMIN_TOKEN) creates fleets and nothing else. */
export const requireOperator = createMiddleware<{ Bindings: Env }>(async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) return c.json({ error: "ADMIN_TOKEN is not configured on this Worker" }, 503);
  const presented = bearer(c.req.header("Authorization"));
  if (!presented || !(await secretMatches(presented, await hashSecret(expected)))) {
    return c.json({ error: "Missing or invalid operator token" }, 401);
  }
  await next();
});
