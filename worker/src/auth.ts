import { createMiddleware } from "hono/factory";
import type { Env } from "./env.js";
import { Fleet } from "./fleet.js";
import { hashSecret, secretMatches } from "./credentials.js";

export interface CallerVariables {
  fleet: Fleet;
  caller: string;
}

/**
 * Bearer authentication for REST and MCP: the admin token grants its fleet.
 * Hashing both sides keeps the comparison constant-time.
 */
export const requireCaller = createMiddleware<{ Bindings: Env; Variables: CallerVariables }>(async (c, next) => {
  const presented = /^Bearer (.+)$/.exec(c.req.header("Authorization") ?? "")?.[1];
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) return c.json({ error: "ADMIN_TOKEN is not configured on this Worker" }, 503);
  if (!presented || !(await secretMatches(presented, await hashSecret(expected)))) {
    return c.json({ error: "Missing or invalid bearer token" }, 401, { "WWW-Authenticate": 'Bearer realm="jetson-fleet"' });
  }
  c.set("fleet", new Fleet(c.env, c.env.FLEET_ID));
  c.set("caller", "admin-token");
  await next();
});
