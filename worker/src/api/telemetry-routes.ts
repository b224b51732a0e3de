import { AlertThresholdsSchema, TelemetryQuerySchema } from "@jetson/protocol";
import { Hono } from "hono";
import { z } from "zod";
import type { CallerVariables } from "../auth.js";
import type { Env } from "../env.js";
import { FleetError } from "../fleet.js";
import { fleetErrorResponse } from "./fleet-errors.js";
import { resolveRange } from "../telemetry/time-range.js";

/** REST for a device's telemetry history and alerts. */
export const telemetryApi = new Hono<{ Bindings: Env; Variables: CallerVariables }>()
  .get("/devices/:device/telemetry", async (c) => {
    const { maxPoints, metrics, ...times } = c.req.query();
    const query = TelemetryQuerySchema.safeParse({
      ...times,
      ...(maxPoints !== undefined && { maxPoints: Number(maxPoints) }),
      ...(metrics !== undefined && { metrics: metrics.split(",").filter(Boolean) }),
    });
    if (!query.success) throw new FleetError("invalid", `Invalid telemetry query: ${z.prettifyError(query.error)}`);
    const range = resolveRange(query.data, Date.now());
    if ("error" in range) throw new FleetError("invalid", range.error);
    return c.json(await c.var.fleet.telemetry(c.req.param("device"), range));
  })
  .get("/devices/:device/alerts", async (c) => c.json(await c.var.fleet.alerts(c.req.param("device"))))
  .put("/devices/:device/alerts/thresholds", async (c) => {
    const thresholds = AlertThresholdsSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!thresholds.success) throw new FleetError("invalid", `Invalid thresholds: ${z.prettifyError(thresholds.error)}`);
    return c.json(await c.var.fleet.setAlertThresholds(c.req.param("device"), thresholds.data));
  })
  .onError(fleetErrorResponse);
