import { describe, expect, it } from "vitest";
import type { ChartData } from "../chart-data.js";
import { appendPoints } from "./chart-points.js";

const chart = (t: number[], series: ChartData["series"]): ChartData => ({ from: t[0] ?? 0, to: t.at(-1) ?? 0, resolution: "raw", t, series });

describe("appending live points to a chart", () => {
  it("adds the new points, fills metrics either side lacks with gaps, and drops what left the range", () => {
    const data = appendPoints(chart([1, 2, 3], { "temp.cpu": [40, 41, 42] }), chart([4], { "temp.cpu": [43], "fan.pwmPct": [30] }), 2);
    expect(data.t).toEqual([2, 3, 4]);
    expect(data.series).toEqual({ "temp.cpu": [41, 42, 43], "fan.pwmPct": [null, null, 30] });
    expect([data.from, data.to]).toEqual([2, 4]);
  });
});
