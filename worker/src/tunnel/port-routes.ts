import { OpenPortRequestSchema } from "@jetson/protocol";
import { Hono } from "hono";
import { fleetErrorResponse } from "../api/fleet-errors.js";
import { body } from "../api/routes.js";
import type { CallerVariables } from "../auth.js";
import type { Env } from "../env.js";
import { DevicePorts } from "./port-operations.js";
import { parseTunnelPath } from "./port-token.js";
import { tunnelNotFound } from "./tunnel-headers.js";

type AppEnv = { Bindings: Env; Variables: CallerVariables };


/** `/t/<token>/...`: any method, WebSocket upgrades too, handed to the device's object. A bad or unknown token is a plain 404. */
export async function portTunnelRoute(request: Request, env: Env): Promise<Response> {
  const token = parseTunnelPath(new URL(request.url));
  if (!token) return tunnelNotFound();
  let id: DurableObjectId;
  try {
    id = env.DEVICE.idFromString(token.objectId);
  } catch {
    return tunnelNotFound();
  }
  return env.DEVICE.get(id).fetch(new Request(token.objectUrl, request));
}

/** REST: a device's port tunnels (open needs `operate`, listing `read`). */
export const portApi = new Hono<AppEnv>()
  .post("/devices/:device/ports", async (c) => c.json(await new DevicePorts(c.var.fleet).open(c.req.param("device"), await body(c, OpenPortRequestSchema)), 201))
  .get("/devices/:device/ports", async (c) => c.json({ ports: await new DevicePorts(c.var.fleet).list(c.req.param("device")) }))
  .delete("/devices/:device/ports/:id", async (c) => {
    await new DevicePorts(c.var.fleet).close(c.req.param("device"), c.req.param("id"));
    return c.body(null, 204);
  })
  .onError(fleetErrorResponse);
