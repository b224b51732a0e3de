import { findAction } from "@jetson/protocol";
import { Hono } from "hono";
import { deviceListQuery } from "../api/device-list-params.js";
import { fleetErrorResponse } from "../api/fleet-errors.js";
import { FleetError } from "../fleet.js";
import { toChartData } from "./chart-data.js";
import { fleetDevice } from "./live-messages.js";
import { type DashboardEnv, requireSession, sameOrigin } from "./session.js";
import { CHART_METRICS, isRangeName, RANGES } from "./telemetry-ranges.js";

const CONTAINERS_LIST = "containers.list";
const RECENT_COMMANDS = 20;

/** Whether the device view may offer the container list: the catalogue has the action and the device's bridge runs it. */
function canListContainers(capabilities: readonly string[] | undefined): boolean {
  return findAction(CONTAINERS_LIST) !== undefined && (capabilities ?? []).includes(CONTAINERS_LIST);
}

/** What the dashboard's pages fetch, through the same Fleet methods (and scope checks) as the REST API. */
export const dataRoutes = new Hono<DashboardEnv>()
  .use(requireSession)
  .get("/session", (c) => c.json({ fleet: c.var.fleet.id, scopes: c.var.fleet.caller.scopes }))
  .get("/devices", async (c) => {
    const page = await c.var.fleet.list(deviceListQuery(c.req.query()));
    return c.json({ ...page, devices: page.devices.map(fleetDevice) });
  })
  .get("/devices/:device", async (c) => {
    const id = c.req.param("device");
    const fleet = c.var.fleet;
    const [device, alerts, commands] = await Promise.all([fleet.get(id), fleet.alerts(id), fleet.audit({ device: id, limit: RECENT_COMMANDS }).then((page) => page.entries)]);
    return c.json({ device, alerts, commands, containers: canListContainers(device.state?.capabilities) });
  })
  // The device's own summary: its page's figures, which the registry's pushes bring only once a minute.
  .get("/devices/:device/summary", async (c) => c.json(fleetDevice(await c.var.fleet.get(c.req.param("device")))))
  .get("/devices/:device/telemetry", async (c) => {
    const name = c.req.query("range");
    if (!isRangeName(name)) throw new FleetError("invalid", `range must be one of ${Object.keys(RANGES).join(", ")}`);
    const range = RANGES[name];
    const to = Date.now();
    // `since` asks only for what came after the page's newest point (live updates of the raw range).
    const since = Number(c.req.query("since"));
    const from = Math.max(to - range.spanMs, Number.isFinite(since) ? since + 1 : 0);
    const telemetry = await c.var.fleet.telemetry(c.req.param("device"), {
      from,
      to,
      resolution: range.resolution,
      maxPoints: range.maxPoints,
      ...(range.resolution === "1m" && { metrics: [...CHART_METRICS] }),
    });
    return c.json(toChartData(telemetry));
  })
  .post("/devices/:device/containers", sameOrigin, async (c) => {
    const id = c.req.param("device");
    const device = await c.var.fleet.get(id);
    if (!canListContainers(device.state?.capabilities)) throw new FleetError("not_found", "This device cannot list its containers.");
    // A device's failure is its answer, for the page to show: error statuses are for refusals here, each with `{ error }` as a sentence.
    return c.json(await c.var.fleet.invoke(id, { action: CONTAINERS_LIST, args: { all: true }, timeoutMs: 20_000 }));
  })
  .onError(fleetErrorResponse);
