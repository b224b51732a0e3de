import { DeviceIdSchema } from "@jetson/protocol";
import { Hono } from "hono";
import { deviceListQuery } from "./api/device-list-params.js";
import { fleetErrorResponse } from "./api/fleet-errors.js";
import { serveAsset } from "./dashboard/client-assets.js";
import { dataRoutes } from "./dashboard/data-routes.js";
import { devicePage, fleetPage, PAGE_HEADERS } from "./dashboard/pages.js";
import { type DashboardEnv, requireSession, requireSessionPage, sameOrigin } from "./dashboard/session.js";
import { signInRoutes } from "./dashboard/sign-in-routes.js";

/**
 * The live dashboard: a signed-in person's view of the fleet (`/`) and of each device
 * (`/devices/:id`), the data those pages fetch (`/dashboard/api`), and the WebSocket the
 * fleet's registry pushes device changes through (`/dashboard/live`).
 */
export const dashboard = new Hono<DashboardEnv>()
  .route("/", signInRoutes)
  .get("/dashboard/app.js", (c) => serveAsset(c, "js"))
  .get("/dashboard/app.css", (c) => serveAsset(c, "css"))
  .route("/dashboard/api", dataRoutes)
  .get("/dashboard/live", sameOrigin, requireSession, async (c) => {
    if (c.req.header("Upgrade") !== "websocket") return c.json({ error: "Expected a WebSocket upgrade" }, 426);
    const { device, ...page } = c.req.query();
    if (device !== undefined) {
      if (!DeviceIdSchema.safeParse(device).success) return c.json({ error: "No such device in this fleet." }, 404);
      return c.var.fleet.live(c.var.sessionHash, { device });
    }
    return c.var.fleet.live(c.var.sessionHash, { page: deviceListQuery(page) });
  })
  .get("/", requireSessionPage, (c) => c.html(fleetPage(c.var.fleet.id), 200, PAGE_HEADERS))
  .get("/devices/:device", requireSessionPage, (c) => c.html(devicePage(c.var.fleet.id, c.req.param("device")), 200, PAGE_HEADERS))
  // A page query the registry cannot answer (a stale cursor) is refused with its reason before the upgrade.
  .onError(fleetErrorResponse);
