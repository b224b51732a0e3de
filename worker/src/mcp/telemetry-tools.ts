import { DeviceAlertsSchema, TelemetryQuerySchema, TelemetrySeriesSchema } from "@jetson/protocol";
import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Fleet } from "../fleet.js";
import { FIXED_METRICS, METRIC_FAMILIES } from "../telemetry/metrics.js";
import { resolveRange } from "../telemetry/time-range.js";
import { guarded, toolData, toolError } from "./tool-result.js";

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
const device = z.string().describe("Device id, as list_devices shows it");

/** Cloud-side telemetry tools: answered from the device's stored history, so they work while it is offline. */
export function registerTelemetryTools(server: McpServer, fleet: Fleet): void {
  server.registerTool(
    "telemetry_range",
    {
      title: "Telemetry over a time range",
      description:
        "Stored telemetry of one device: raw samples (kept 24 h) or 1-minute rollups with min/mean/max (kept 30 days). " +
        `Rollup metrics: ${FIXED_METRICS.join(", ")}, plus ${METRIC_FAMILIES.map((f) => `${f}.<name>`).join(" and ")} per sensor and rail. ` +
        "Ask for a few metrics over long ranges to keep the answer small.",
      inputSchema: z.strictObject({
        device,
        ...TelemetryQuerySchema.shape,
        // Smaller than the REST default: every point lands in the model's context.
        maxPoints: z.number().int().min(1).max(1_000).default(60).describe("At most this many points (default 60)"),
      }),
      outputSchema: TelemetrySeriesSchema,
      annotations: READ_ONLY,
    },
    async ({ device, ...query }) =>
      guarded(async () => {
        const range = resolveRange(query, Date.now());
        if ("error" in range) return toolError(range.error);
        return toolData(await fleet.telemetry(device, range));
      }),
  );

  server.registerTool(
    "device_alerts",
    {
      title: "Device alerts",
      description:
        "Alerts of one device: active ones, those cleared in the last 24 h, and the thresholds in force (temperature, throttling, power, disk, offline).",
      inputSchema: z.strictObject({ device }),
      outputSchema: DeviceAlertsSchema,
      annotations: READ_ONLY,
    },
    async ({ device }) => guarded(async () => toolData(await fleet.alerts(device))),
  );
}
