/** The ranges a device's charts offer, and how each is asked of the device's telemetry store. */

const MINUTE = 60_000;
const DAY = 1_440 * MINUTE;

export const RANGES = {
  // Raw samples (1 a second by default), thinned to one per 2 s: enough for a chart a screen wide.
  "15m": { label: "15 minutes", spanMs: 15 * MINUTE, resolution: "raw", maxPoints: 450 },
  // 1-minute rollups merged into 3-minute buckets.
  "24h": { label: "24 hours", spanMs: DAY, resolution: "1m", maxPoints: 480 },
  // The whole rollup retention, in 90-minute buckets.
  "30d": { label: "30 days", spanMs: 30 * DAY, resolution: "1m", maxPoints: 480 },
} as const;

export type RangeName = keyof typeof RANGES;
export const RANGE_NAMES = Object.keys(RANGES) as RangeName[];

export function isRangeName(value: string | null | undefined): value is RangeName {
  // Own keys only: `in` would also accept what every object inherits (toString, constructor, __proto__).
  return value !== null && value !== undefined && Object.hasOwn(RANGES, value);
}

/** Metric names and families the charts draw: every sensor, load, clocks, the fan, memory, every rail and the total. */
export const CHART_METRICS = ["temp", "cpu.load", "gpu.load", "cpu.freqMHz", "gpu.freqMHz", "fan.pwmPct", "ram.usedPct", "power"] as const;
