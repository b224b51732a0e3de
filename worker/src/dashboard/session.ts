import type { Caller } from "@jetson/protocol";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { CallerVariables, TokenResolution } from "../auth.js";
import { credentialCache } from "../credential-cache.js";
import { hashSecret } from "../credentials.js";
import type { Env } from "../env.js";
import { Fleet, registryStub } from "../fleet.js";
import { fleetOfSession, SESSION_COOKIE } from "./session-cookie.js";

export type DashboardEnv = { Bindings: Env; Variables: CallerVariables & { sessionHash: string } };

type SessionResolution = (TokenResolution & { ok: false }) | { ok: true; caller: Caller; hash: string };

/** The browser's session cookie as the caller it stands for: the API token it was opened with, and its scopes. */
export async function resolveSession(c: Context<DashboardEnv>): Promise<SessionResolution> {
  const value = getCookie(c, SESSION_COOKIE);
  const fleet = fleetOfSession(value);
  if (!value || !fleet) return { ok: false, status: 401, message: "Not signed in" };
  const hash = await hashSecret(value);
  const check = await credentialCache.check("session", fleet, hash, (served) => registryStub(c.env, fleet).checkSession(hash, served));
  if (check.ok) return { ok: true, hash, caller: { fleet, kind: "token", id: check.id, scopes: check.scopes } };
  if (check.reason === "rate_limited") return { ok: false, status: 429, message: "Too many requests; wait a moment", retryAfterSeconds: check.retryAfterSeconds };
  return { ok: false, status: 401, message: "Not signed in, or the session has ended" };
}

function signIn(c: Context<DashboardEnv>, resolution: Extract<SessionResolution, { ok: true }>): void {
  c.set("fleet", new Fleet(c.env, resolution.caller));
  c.set("sessionHash", resolution.hash);
}

/** Data routes and the live channel: a visitor without a session gets 401 and nothing else. */
export const requireSession = createMiddleware<DashboardEnv>(async (c, next) => {
  const resolution = await resolveSession(c);
  if (!resolution.ok) {
    const headers: Record<string, string> = resolution.status === 429 ? { "Retry-After": String(resolution.retryAfterSeconds) } : {};
    return c.json({ error: resolution.message }, resolution.status, headers);
  }
  signIn(c, resolution);
  await next();
});

/** Pages: a visitor without a session is sent to sign in, and brought back afterwards. */
export const requireSessionPage = createMiddleware<DashboardEnv>(async (c, next) => {
  const resolution = await resolveSession(c);
  if (!resolution.ok) {
    const url = new URL(c.req.url);
    return c.redirect(`/signin?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
  }
  signIn(c, resolution);
  await next();
});

/**
 * Requests that change something or open the live channel must come from the dashboard's own
 * pages. SameSite=Strict already keeps the cookie off other sites' requests; this also covers
 * signing in, which has no cookie yet. The origin compared is the configured public one, not
 * the request's Host: a hostile name pointed at this Worker (DNS rebinding) names itself there.
 */
export const sameOrigin = createMiddleware<DashboardEnv>(async (c, next) => {
  if (c.req.header("Origin") !== new URL(c.env.PUBLIC_URL).origin) return c.json({ error: "Cross-origin request refused" }, 403);
  await next();
});
