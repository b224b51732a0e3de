import { completable, type McpServer } from "@modelcontextprotocol/server";
import type { GetPromptResult, PromptMessage } from "@modelcontextprotocol/server";
import { DeviceListQuerySchema, type DevicePage } from "@jetson/protocol";
import { z } from "zod";
import type { Fleet } from "../fleet.js";
import type { Completions } from "./completions.js";
import { refusingAsInvalid } from "./resources.js";

const HOUR_MS = 3_600_000;
const THERMAL_METRICS = ["temp", "cpu.load", "cpu.freqMHz", "cpu.online", "gpu.load", "gpu.freqMHz", "power.totalMW", "fan.pwmPct"];

const text = (body: string): PromptMessage => ({ role: "user", content: { type: "text", text: body } });
const attached = (uri: string, data: unknown): PromptMessage => ({
  role: "user",
  content: { type: "resource", resource: { uri, mimeType: "application/json", text: JSON.stringify(data) } },
});

const DIAGNOSE = (device: string) => `Find out whether the Jetson "${device}" is thermally throttling, and why.
Attached: its state (with active alerts and latest telemetry) and its last hour as 1-minute rollups (min/mean/max) of temperatures, CPU and GPU load and clocks, online CPUs, power and fan.

1. Throttling shows as the fastest core's clock (cpu.freqMHz) or the GPU clock (gpu.freqMHz) falling while temperatures (temp.max and each temp.<sensor>) are high and load stays up. Line up the hottest minutes with the clocks.
2. A capped clock at a normal temperature is the power mode (fewer online CPUs, lower limits), not throttling. While the device is online, hardware_temperatures lists each sensor's trip points: a sensor held at its passive trip point is the kernel throttling the clocks to keep it there.
3. Look at the fan (fan.pwmPct): a hot board with a low or missing fan duty points to the fan profile or a fan fault.
4. For a longer view call telemetry_range with from "-24h" or "-7d" and metrics ${JSON.stringify(THERMAL_METRICS)}; device_alerts lists raised and cleared alerts. While the device is online, power_get, clocks_status and fan_get show its power mode, clock settings and fan profile.

Answer with: throttling yes or no, the evidence (times, temperatures, clocks), the likely cause, and fixes to consider (airflow or fan profile, power mode, workload). Do not change anything on the device unless the user asks.`;

/** A report attaches at most this many devices' summaries of each status: enough to write from, small enough for a model's context. */
const REPORT_DEVICES_PER_STATUS = 100;
const REPORT_ORDER = ["alerting", "offline", "online"] as const;

const REPORT = `Write a health report of this Jetson fleet from the attached device list (presence, active alerts, latest telemetry of each device; "counts" has how many devices are alerting, offline and online in all, and "omitted" how many of each were left out of the list).
Cover: how many devices are online and offline (and since when), every active alert by device and kind, the hottest and most loaded devices, disk and memory pressure, and devices that have not reported telemetry. End with the few actions that matter most.
When devices were omitted, list_devices with a status filter pages through them. Use telemetry_range on a device (for example from "-7d", metrics ["temp.max", "disk.usedPct"]) when a trend would change the advice, and device_alerts for a device's alert history.`;

/** Prompts that start an assistant on the two common questions, with the data they need attached. */
export function registerPrompts(server: McpServer, fleet: Fleet, complete: Completions): void {
  server.registerPrompt(
    "diagnose_throttling",
    {
      title: "Diagnose thermal throttling",
      description: "Is this Jetson throttling, why, and what to do: with its state and last hour of thermal telemetry attached.",
      argsSchema: z.object({ device: completable(z.string().describe("Device id, as list_devices shows it"), complete.devices) }),
    },
    async ({ device }): Promise<GetPromptResult> => {
      const now = Date.now();
      const [summary, lastHour] = await refusingAsInvalid(() =>
        Promise.all([
          fleet.get(device),
          fleet.telemetry(device, { from: now - HOUR_MS, to: now, resolution: "1m", maxPoints: 60, metrics: THERMAL_METRICS }),
        ]),
      );
      return {
        description: `Thermal throttling diagnosis for ${device}`,
        messages: [
          text(DIAGNOSE(device)),
          attached(`jetson://devices/${device}`, summary),
          attached(`jetson://devices/${device}/telemetry`, lastHour),
        ],
      };
    },
  );

  server.registerPrompt(
    "fleet_health_report",
    {
      title: "Fleet health report",
      description: `A health report of the fleet: presence, alerts, temperatures, load, disk (up to ${REPORT_DEVICES_PER_STATUS} devices of each status attached, those alerting first).`,
    },
    async (): Promise<GetPromptResult> => {
      const pages = await refusingAsInvalid(() =>
        Promise.all(REPORT_ORDER.map((status) => fleet.list(DeviceListQuerySchema.parse({ status, limit: REPORT_DEVICES_PER_STATUS })))),
      );
      const byStatus = <T>(value: (page: DevicePage) => T) => Object.fromEntries(REPORT_ORDER.map((status, i) => [status, value(pages[i] as DevicePage)]));
      const report = {
        counts: byStatus((page) => page.total),
        omitted: byStatus((page) => page.total - page.devices.length),
        devices: pages.flatMap((page) => page.devices),
      };
      return { description: "Fleet health report", messages: [text(REPORT), attached("jetson://devices", report)] };
    },
  );
}
