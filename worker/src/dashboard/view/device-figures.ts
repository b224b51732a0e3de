import type { LatestTelemetry, TelemetrySample } from "@jetson/protocol";
import { flatten } from "../../telemetry/metrics.js";
import type { FleetDevice } from "../live-messages.js";
import { ago, celsius, dateTime, megahertz, percent, powerMode, watts } from "./format.js";

/** One figure of a device as a tile shows it; `metric` names what it reads (as telemetry_range names it). */
export interface Figure {
  metric: string;
  label: string;
  value: string;
}

/** What a device is: board, versions, power mode, tags, bridge and when it was last seen. */
export function deviceFacts(device: FleetDevice, now: number): Array<[string, string]> {
  return [
    ["Board", device.state?.board ?? "–"],
    ["JetPack", device.state?.jetpack ?? "–"],
    ["Power mode", powerMode(device.state?.powerMode)],
    ["L4T", device.state?.l4t ?? "–"],
    ["Tags", (device.tags ?? []).join(", ") || "–"],
    ["Bridge", device.state?.bridgeVersion ?? "–"],
    ["Last seen", device.lastSeen === undefined ? "never" : `${ago(device.lastSeen, now)} (${dateTime(device.lastSeen)})`],
  ];
}

/** The few numbers of the fleet list's newest sample. */
export function latestFigures(latest: LatestTelemetry | undefined): Figure[] {
  return [
    { metric: "temp.max", label: "Hottest", value: celsius(latest?.hottestC) },
    { metric: "cpu.load", label: "CPU", value: percent(latest?.cpuLoadPct) },
    { metric: "gpu.load", label: "GPU", value: percent(latest?.gpuLoadPct) },
    { metric: "ram.usedPct", label: "Memory", value: percent(latest?.ramUsedPct) },
    { metric: "power.totalMW", label: "Power", value: watts(latest?.powerMW) },
    { metric: "disk.usedPct", label: "Disk", value: percent(latest?.diskUsedPct) },
  ];
}

/** Each figure a whole sample gives, in this order; every temperature sensor follows the fixed ones. */
const SAMPLE_FIGURES: Array<{ metric: string; label: string; format: (value: number | undefined) => string }> = [
  { metric: "cpu.load", label: "CPU load", format: percent },
  { metric: "cpu.freqMHz", label: "CPU clock (fastest core)", format: megahertz },
  { metric: "gpu.load", label: "GPU load", format: percent },
  { metric: "gpu.freqMHz", label: "GPU clock", format: megahertz },
  { metric: "ram.usedPct", label: "Memory", format: percent },
  { metric: "power.totalMW", label: "Power", format: watts },
  { metric: "fan.pwmPct", label: "Fan", format: percent },
  { metric: "disk.usedPct", label: "Disk", format: percent },
];

/** A whole sample (telemetry_now) as figures: what the board did not report is left out, not shown as zero. */
export function sampleFigures(sample: TelemetrySample): Figure[] {
  const metrics = flatten(sample);
  const fixed = SAMPLE_FIGURES.filter(({ metric }) => metrics.has(metric)).map(({ metric, label, format }) => ({ metric, label, value: format(metrics.get(metric)) }));
  const temperatures = [...metrics]
    .filter(([metric]) => metric.startsWith("temp.") && metric !== "temp.max")
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([metric, value]) => ({ metric, label: `${metric.slice("temp.".length)} temperature`, value: celsius(value) }));
  return [...temperatures, ...fixed];
}
