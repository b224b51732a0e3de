import { describe, expect, it } from "vitest";
import { toChartData } from "./chart-data.js";

describe("chart data", () => {
  it("turns raw samples into columns, with nulls where a sample lacks a metric", () => {
    const data = toChartData({
      from: 0,
      to: 10,
      resolution: "raw",
      samples: [
        { t: 1, tempsC: { cpu: 50, gpu: 48 }, cpus: [{ loadPct: 10 }, { loadPct: 30 }], totalPowerMW: 5000, swap: { usedMB: 1, totalMB: 2 } },
        { t: 2, tempsC: { cpu: 51 }, powerMW: { VDD_IN: { now: 4000 } } },
      ],
    });
    expect(data.t).toEqual([1, 2]);
    expect(data.series).toEqual({
      "temp.cpu": [50, 51],
      "temp.gpu": [48, null],
      "cpu.load": [20, null],
      "power.totalMW": [5000, null],
      "power.VDD_IN": [null, 4000],
    });
  });

  it("takes each rollup's mean, and keeps the step", () => {
    const rollup = (mean: number) => ({ min: mean - 1, mean, max: mean + 1, count: 60 });
    const data = toChartData({
      from: 0,
      to: 180_000,
      resolution: "1m",
      stepMs: 60_000,
      rollups: [
        { t: 0, metrics: { "gpu.load": rollup(12), "temp.max": rollup(60), "ram.usedPct": rollup(40) } },
        { t: 60_000, metrics: { "gpu.load": rollup(14), "fan.pwmPct": rollup(30) } },
      ],
    });
    expect(data).toEqual({
      from: 0,
      to: 180_000,
      resolution: "1m",
      stepMs: 60_000,
      t: [0, 60_000],
      series: { "gpu.load": [12, 14], "ram.usedPct": [40, null], "fan.pwmPct": [null, 30] },
    });
  });

  it("keeps the fastest core's and the GPU's clocks and the fan, so a throttling board's falling clocks show", () => {
    const data = toChartData({
      from: 0,
      to: 10,
      resolution: "raw",
      samples: [
        { t: 1, cpus: [{ freqMHz: 2201 }, { freqMHz: 1500 }], gpu: { freqMHz: 1300 }, fan: { pwmPct: 40 } },
        { t: 2, cpus: [{ freqMHz: 806 }], gpu: { freqMHz: 420 }, fan: { pwmPct: 100 } },
      ],
    });
    expect(data.series).toMatchObject({ "cpu.freqMHz": [2201, 806], "gpu.freqMHz": [1300, 420], "fan.pwmPct": [40, 100] });
  });
});
