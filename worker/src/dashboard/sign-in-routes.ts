import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { resolveApiToken } from "../auth.js";
import { credentialCache } from "../credential-cache.js";
import { hashSecret } from "../credentials.js";
import { registryStub } from "../fleet.js";
import { PAGE_HEADERS, signInPage } from "./pages.js";
import { field, NOT_A_FORM, postedForm } from "./posted-form.js";
import { type DashboardEnv, resolveSession, sameOrigin } from "./session.js";
import { fleetOfSession, newSessionValue, SESSION_COOKIE, SESSION_TTL_MS, sessionCookieOptions } from "./session-cookie.js";

/** A stand-in origin to resolve `next` against: whatever leaves it would leave this site. */
const HERE = "https://next.invalid";
/** Browsers drop tabs and newlines from a URL and read a backslash as a slash, so none is let through. */
const DISGUISE = /[\u0000-\u001f\u007f\\]/;

function looksSafe(path: string): boolean {
  return path.startsWith("/") && !path.startsWith("//") && !DISGUISE.test(path);
}

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** A path of this site as written and once percent-decoded. */
function isSitePath(path: string): boolean {
  const plain = decoded(path);
  return plain !== undefined && looksSafe(path) && looksSafe(plain);
}

/**
 * Only a path on this site: `next` must not send a person elsewhere after signing in.
 * It must be a site path, and stay on this origin when parsed as a URL; anything else goes to `/`.
 * The parsed form is what is sent back, so it is checked too: resolving dot segments turns `/.//host` into `//host`.
 */
function safeNext(next: string | undefined): string {
  if (next === undefined || !isSitePath(next)) return "/";
  const url = new URL(next, HERE);
  const path = `${url.pathname}${url.search}${url.hash}`;
  return url.origin === HERE && isSitePath(path) ? path : "/";
}

/** Signing in with an API token of the fleet, and out again. */
export const signInRoutes = new Hono<DashboardEnv>()
  .get("/signin", async (c) => {
    const next = safeNext(c.req.query("next"));
    if ((await resolveSession(c)).ok) return c.redirect(next, 303);
    return c.html(signInPage({ next }), 200, PAGE_HEADERS);
  })
  .post("/signin", bodyLimit({ maxSize: 4096 }), sameOrigin, async (c) => {
    const form = await postedForm(c.req);
    if (!form) return c.html(signInPage({ next: "/", error: NOT_A_FORM }), 400, PAGE_HEADERS);
    const next = safeNext(field(form, "next"));
    const refuse = (status: 401 | 403 | 429, error: string) => c.html(signInPage({ next, error }), status, PAGE_HEADERS);
    const resolution = await resolveApiToken(c.env, field(form, "token").trim(), true);
    if (!resolution.ok) {
      return resolution.status === 429
        ? refuse(429, "Too many requests with this token; wait a moment and try again.")
        : refuse(401, "That is not a live API token of a fleet.");
    }
    const { caller } = resolution;
    if (!caller.scopes.includes("read")) return refuse(403, "That token lacks the read scope, which the dashboard needs.");
    const value = newSessionValue(caller.fleet);
    const replaced = await registryStub(c.env, caller.fleet).createSession(await hashSecret(value), {
      tokenId: caller.id,
      scopes: caller.scopes,
      expiresAt: Date.now() + SESSION_TTL_MS,
    });
    for (const hash of replaced) credentialCache.forget("session", caller.fleet, hash);
    setCookie(c, SESSION_COOKIE, value, sessionCookieOptions(c.req.url, SESSION_TTL_MS / 1000));
    return c.redirect(next, 303);
  })
  .post("/signout", sameOrigin, async (c) => {
    const value = getCookie(c, SESSION_COOKIE);
    const fleet = fleetOfSession(value);
    if (value && fleet) {
      const hash = await hashSecret(value);
      await registryStub(c.env, fleet).endSession(hash);
      credentialCache.forget("session", fleet, hash);
    }
    deleteCookie(c, SESSION_COOKIE, sessionCookieOptions(c.req.url, 0));
    return c.redirect("/signin", 303);
  });
