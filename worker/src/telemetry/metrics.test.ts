import { describe, expect, it } from "vitest";
import { flatten, latestOf, MAX_LATEST_ENTRIES, MAX_METRICS, roundTo, selected } from "./metrics.js";

describe("flatten", () => {
  it("reads each metric of a sample, and leaves out what the sample does not say", () => {
    const metrics = flatten({
      cpus: [{ loadPct: 20, freqMHz: 1200 }, { online: false }, { loadPct: 40, freqMHz: 1500 }],
      gpu: { loadPct: 30 },
      ram: { usedMB: 2000, totalMB: 8000 },
      tempsC: { cpu: 50.5, tj: 52 },
      powerMW: { VDD_IN: { now: 5000, avg: 4900 }, VDD_CPU_GPU_CV: { now: 1200 } },
      totalPowerMW: 5000,
      disk: { usedMB: 45_000, totalMB: 50_000 },
    });
    expect(Object.fromEntries(metrics)).toEqual({
      "temp.max": 52,
      "temp.cpu": 50.5,
      "temp.tj": 52,
      "cpu.load": 30,
      "cpu.online": 2,
      "cpu.freqMHz": 1500,
      "gpu.load": 30,
      "ram.usedMB": 2000,
      "ram.usedPct": 25,
      "power.totalMW": 5000,
      "power.VDD_IN": 5000,
      "power.VDD_CPU_GPU_CV": 1200,
      "disk.usedMB": 45_000,
      "disk.usedPct": 90,
    });
  });

  it("caps how many metrics one sample can add", () => {
    const tempsC = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`s${i}`, i]));
    expect(flatten({ tempsC }).size).toBe(MAX_METRICS);
  });

  it("selects metrics by name or family", () => {
    expect(selected("temp.cpu", ["temp"])).toBe(true);
    expect(selected("temp.cpu", ["cpu.load"])).toBe(false);
    expect(selected("cpu.load", ["cpu.load"])).toBe(true);
    expect(selected("anything", undefined)).toBe(true);
  });

  it("summarizes the newest sample in a few numbers", () => {
    expect(latestOf({ t: 5, tempsC: { cpu: 61.26 }, ram: { usedMB: 1, totalMB: 3 } })).toMatchObject({ t: 5, hottestC: 61.3, ramUsedPct: 33.3 });
  });

  it("rounds a value near the largest double to itself, not to Infinity (which JSON stores as null)", () => {
    expect([roundTo(1.8e307, 1), roundTo(-1.7e308, 3), roundTo(2 ** 52 + 1, 1), roundTo(61.26, 1), roundTo(53.3333, 3)]).toEqual([1.8e307, -1.7e308, 2 ** 52 + 1, 61.3, 53.333]);
    const latest = latestOf({ t: 5, tempsC: { cpu: 1e308 }, cpus: [{ loadPct: 1.7e308 }], gpu: { loadPct: 1e308 }, disk: { usedMB: 1e306, totalMB: 1 } });
    expect(latest).toMatchObject({ hottestC: 1e308, cpuLoadPct: 1.7e308, gpuLoadPct: 1e308, diskUsedPct: 1e308 });
    expect(JSON.stringify(latest)).not.toMatch(/null/);
  });

  it("keeps each sensor, rail and engine of the newest sample exactly, for metrics scrapes", () => {
    const latest = latestOf({
      t: 5,
      tempsC: { cpu: 61.26, gpu: 58.031 },
      powerMW: { VDD_IN: { now: 5012, avg: 4900 } },
      emc: { loadPct: 12, freqMHz: 2133 },
      engines: { NVENC: { online: true, freqMHz: 115, loadPct: 40 }, NVDEC: { online: false } },
      swap: { usedMB: 0, totalMB: 3984 },
      fan: { pwmPct: 35, rpm: 2100 },
    });
    expect(latest).toMatchObject({
      tempsC: { cpu: 61.26, gpu: 58.031 },
      railsMW: { VDD_IN: 5012 },
      emcLoadPct: 12,
      engines: { NVENC: { online: true, loadPct: 40 }, NVDEC: { online: false } },
      swap: { usedMB: 0, totalMB: 3984 },
      fan: { pwmPct: 35, rpm: 2100 },
    });
  });

  it("caps each table the summary keeps", () => {
    const tempsC = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`s${i}`, i]));
    expect(Object.keys(latestOf({ t: 5, tempsC }).tempsC ?? {})).toHaveLength(MAX_LATEST_ENTRIES);
  });
});
