import type { TelemetrySeries } from "@jetson/protocol";
import { flatten, selected } from "../telemetry/metrics.js";
import { CHART_METRICS } from "./telemetry-ranges.js";

/**
 * A device's telemetry as the charts draw it: one time axis and one column per metric
 * (null where a point lacks it). Raw samples and rollups (their means) come out alike,
 * and the columns are a fraction of the size of whole samples.
 */
export interface ChartData {
  from: number;
  to: number;
  resolution: "raw" | "1m";
  /** Width of a point when the store merged or thinned them. */
  stepMs?: number;
  t: number[];
  series: Record<string, Array<number | null>>;
}

/** temp.max repeats the hottest sensor, which the chart already draws. */
const wanted = (metric: string) => metric !== "temp.max" && selected(metric, CHART_METRICS);

export function toChartData(telemetry: TelemetrySeries): ChartData {
  const rows: Array<{ t: number; values: Iterable<[string, number]> }> =
    telemetry.resolution === "raw"
      ? (telemetry.samples ?? []).map((sample) => ({ t: sample.t, values: flatten(sample) }))
      : (telemetry.rollups ?? []).map((point) => ({
          t: point.t,
          values: Object.entries(point.metrics).map(([metric, rollup]): [string, number] => [metric, rollup.mean]),
        }));
  const series: Record<string, Array<number | null>> = {};
  rows.forEach((row, index) => {
    for (const [metric, value] of row.values) {
      if (!wanted(metric)) continue;
      (series[metric] ??= new Array<number | null>(rows.length).fill(null))[index] = value;
    }
  });
  return {
    from: telemetry.from,
    to: telemetry.to,
    resolution: telemetry.resolution,
    ...(telemetry.stepMs !== undefined && { stepMs: telemetry.stepMs }),
    t: rows.map((row) => row.t),
    series,
  };
}
