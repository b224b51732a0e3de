import type { ChartData } from "../chart-data.js";

/** Appends newer points to a chart's columns, keeping only those inside the range. */
export function appendPoints(data: ChartData, more: ChartData, from: number): ChartData {
  const t = [...data.t, ...more.t];
  const keep = t.findIndex((time) => time >= from);
  const start = keep < 0 ? t.length : keep;
  const series: ChartData["series"] = {};
  for (const metric of new Set([...Object.keys(data.series), ...Object.keys(more.series)])) {
    const old = data.series[metric] ?? new Array<number | null>(data.t.length).fill(null);
    const added = more.series[metric] ?? new Array<number | null>(more.t.length).fill(null);
    series[metric] = [...old, ...added].slice(start);
  }
  return { ...data, from, to: more.to, t: t.slice(start), series };
}
