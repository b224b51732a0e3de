import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { DeviceIdSchema, FleetIdSchema } from "@jetson/protocol";
import { publicRoutes } from "./api/public-routes.js";
import { fleetOpsApi } from "./api/fleet-ops-routes.js";
import { api } from "./api/routes.js";
import { telemetryApi } from "./api/telemetry-routes.js";
import { type CallerVariables, requireCaller } from "./auth.js";
import { dashboard } from "./dashboard.js";
import type { Env } from "./env.js";
import { deviceStub } from "./fleet.js";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "./json-depth.js";
import { metricsRoute } from "./metrics/metrics-route.js";
import { authorizeRoutes } from "./oauth/authorize-routes.js";
import { portApi, portTunnelRoute } from "./tunnel/port-routes.js";
import { releaseRoutes } from "./releases/release-routes.js";

export const app = new Hono<{ Bindings: Env; Variables: CallerVariables }>();

app.get("/health", (c) => c.json({ ok: true }));

/** No request a caller sends needs more than this; larger ones are refused before any object is woken. */
export const MAX_REQUEST_BYTES = 256 * 1024;
export const limitBody = bodyLimit({
  maxSize: MAX_REQUEST_BYTES,
  onError: (c) => c.json({ error: `Request body larger than ${MAX_REQUEST_BYTES} bytes` }, 413),
});

/** Refuses JSON nested deeper than any request needs before a handler parses or walks it (the text stays cached for them). */
export const limitJsonDepth = createMiddleware(async (c, next) => {
  if (c.req.raw.body && nestsDeeperThan(await c.req.text())) {
    return c.json({ error: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` }, 400);
  }
  await next();
});

/** A device's bridge dials in here; its object checks the credentials in MQTT CONNECT. */
app.get("/tunnel/:fleet/:device", async (c) => {
  const fleet = FleetIdSchema.safeParse(c.req.param("fleet"));
  const device = DeviceIdSchema.safeParse(c.req.param("device"));
  if (!fleet.success || !device.success) return c.text("Not found", 404);
  return deviceStub(c.env, fleet.data, device.data).fetch(c.req.raw);
});

/** A device's port through its tunnel (`/t/<token>/...`): the token is the only credential, the body streams unlimited. */
app.all("/t/*", (c) => portTunnelRoute(c.req.raw, c.env));
// Bridge releases: a bundle is larger than any /api request, so they have their own path and limits.
app.route("/", releaseRoutes);

app.use("/api/*", limitBody, limitJsonDepth);
app.use("/enroll", limitBody, limitJsonDepth);
app.route("/", publicRoutes);

app.use("/api/*", requireCaller);
app.route("/api", api);
app.route("/api", telemetryApi);
app.route("/api", fleetOpsApi);
app.route("/api", portApi);

// Prometheus scrapes here with an API token (read scope).
app.route("/", metricsRoute);

// /mcp never gets here: the OAuth provider in front guards it (oauth/provider.ts, oauth/mcp-handler.ts).
app.route("/", authorizeRoutes);

// The dashboard: pages, sign-in, its data routes and live channel (a session cookie, not a bearer token).
app.route("/", dashboard);
