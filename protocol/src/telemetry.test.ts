/// <reference types="node" />
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LatestTelemetrySchema, MAX_SAMPLE_CPUS, MAX_SAMPLE_ENTRIES, READING_BOUNDS, TimedSampleSchema, type TimedSample } from "./telemetry.js";

const T = Date.parse("2026-12-04T12:00:00Z");
const accepted = (sample: TimedSample) => TimedSampleSchema.safeParse(sample).success;

// Real boards' tegrastats lines, beside the repository (shared/fixtures/jetson-real/SOURCES.md says where each is from).
const TEGRASTATS = new URL("../../../shared/fixtures/jetson-real/tegrastats/", import.meta.url);
const fixturesMissing = !existsSync(TEGRASTATS);

/** Every reading the fixtures print, by kind, read as a bridge would send it (no sensor filtered out). */
function fixtureReadings() {
  const text = readdirSync(TEGRASTATS)
    .filter((file) => file.endsWith(".txt"))
    .map((file) => readFileSync(new URL(file, TEGRASTATS), "utf8"))
    .join("\n");
  const numbers = (pattern: RegExp) => [...text.matchAll(pattern)].flatMap((m) => m.slice(1).filter((v) => v !== undefined).flatMap((v) => v.split(",").map(Number)));
  return {
    // cpu@52.562C, CV0@-256C (an offline sensor), PMIC@100C (a placeholder)
    celsius: numbers(/[A-Za-z]\w*@(-?\d+(?:\.\d+)?)C/g),
    // 14%@2188, [17%,13%,29%,5%]@408, MTS fg 1% bg 9%
    percent: numbers(/(\d+)%/g),
    // @2133, @[1300,1300], APE 174, VIC_FREQ 729: a clock is a number after @ or an engine's name, not a temperature
    megahertz: numbers(/@(?:\[([\d,]+)\]|(\d+)(?![\d.]*C))|\b(?:APE|VIC_FREQ) (\d+)\b/g),
    megabytes: numbers(/(\d+)\/(\d+)MB/g),
    // VDD_IN 6140/5510, VDD_GPU_SOC 2412mW/2412mW, VDD_GPU_SOC 5139mW/5139mW/5139mW
    milliwatts: numbers(/\b[A-Z][A-Z0-9_]* (\d+)(?:mW)?\/(\d+)(?:mW)?(?:\/(\d+)(?:mW)?)?(?=\s|$)/g),
  };
}

describe.skipIf(fixturesMissing)("telemetry bounds on the real boards' readings", () => {
  const readings = fixtureReadings();

  it("finds each kind of reading in the fixtures: the offline sensor's -256 °C, the placeholder's 100 °C, AGX Orin's 3199 MHz memory clock", () => {
    for (const values of Object.values(readings)) expect(values.length).toBeGreaterThan(10);
    expect(readings.celsius).toEqual(expect.arrayContaining([-256, 100, 52.562]));
    expect(readings.megahertz).toContain(3199);
  });

  it("accepts every one of them where a sample carries that kind", () => {
    const samples: TimedSample[] = [
      ...readings.celsius.map((cpu) => ({ t: T, tempsC: { cpu } })),
      ...readings.percent.flatMap((loadPct) => [
        { t: T, cpus: [{ loadPct }], gpu: { loadPct }, emc: { loadPct } },
        { t: T, engines: { NVENC: { online: true, loadPct } }, fan: { pwmPct: loadPct } },
      ]),
      ...readings.megahertz.map((freqMHz) => ({ t: T, cpus: [{ freqMHz }], gpu: { freqMHz }, engines: { APE: { online: true, freqMHz } } })),
      ...readings.megabytes.map((mb) => ({ t: T, ram: { usedMB: mb, totalMB: mb }, swap: { usedMB: mb, totalMB: mb }, disk: { usedMB: mb, totalMB: mb } })),
      ...readings.milliwatts.map((now) => ({ t: T, powerMW: { VDD_IN: { now, avg: now, max: now } }, totalPowerMW: now })),
    ];
    expect(samples.filter((sample) => !accepted(sample))).toEqual([]);
  });
});

describe("telemetry bounds", () => {
  it("accepts each bound itself, and an idle rail a little below zero", () => {
    const { celsius, percent, megahertz, megabytes, milliwatts, rpm } = READING_BOUNDS;
    for (const edge of ["min", "max"] as const) {
      expect(
        accepted({
          t: T,
          tempsC: { cpu: celsius[edge] },
          cpus: [{ loadPct: percent[edge], freqMHz: megahertz[edge] }],
          ram: { usedMB: megabytes[edge], totalMB: megabytes[edge] },
          powerMW: { VDD_GPU: { now: milliwatts[edge] } },
          fan: { pwmPct: percent[edge], rpm: rpm[edge] },
        }),
      ).toBe(true);
    }
    expect(accepted({ t: T, powerMW: { VDD_GPU: { now: -8 } } })).toBe(true);
  });

  it.each([
    ["a temperature of 1e308, which overflowed the summary's rounding", { tempsC: { cpu: 1e308 } }],
    ["a temperature of -1.7e308", { tempsC: { gpu: -1.7e308 } }],
    ["a temperature below absolute zero", { tempsC: { cpu: -274 } }],
    ["a temperature past any sensor", { tempsC: { cpu: 1_001 } }],
    ["a load over 100 %", { cpus: [{ loadPct: 100.5 }] }],
    ["a negative load", { gpu: { loadPct: -5e307 } }],
    ["an engine's load over 100 %", { engines: { NVENC: { online: true, loadPct: 1e308 } } }],
    ["a clock past 100 GHz", { emc: { freqMHz: 1e308 } }],
    ["a negative clock", { engines: { VIC: { online: true, freqMHz: -1 } } }],
    ["memory past an exbibyte", { ram: { usedMB: 1, totalMB: 2 ** 41 } }],
    ["negative disk use", { disk: { usedMB: -1, totalMB: 100 } }],
    ["a rail of 1e308 mW", { powerMW: { VDD_IN: { now: 1e308 } } }],
    ["a rail's maximum past 10 kW", { powerMW: { VDD_IN: { now: 1, max: 1e10 } } }],
    ["a total power of 1e308 mW", { totalPowerMW: 1e308 }],
    ["a fan at -1e308 %", { fan: { pwmPct: -1e308 } }],
    ["a fan at a million rpm", { fan: { rpm: 1e6 } }],
    ["Infinity", { tempsC: { cpu: Number.POSITIVE_INFINITY } }],
  ])("refuses %s", (_what, fields) => {
    expect(accepted({ t: T, ...fields })).toBe(false);
  });

  it("bounds each list and table of a sample, so that a stored sample has a size limit, with room for a many-core GPU server's CPUs", () => {
    const entries = (n: number) => Array.from({ length: n }, (_, i) => `s${i}`);
    const sized = (n: number, cpus = n): TimedSample => ({
      t: T,
      time: "2026-12-04T12:00:00",
      cpus: Array.from({ length: cpus }, () => ({ loadPct: 1 })),
      engines: Object.fromEntries(entries(n).map((name) => [name, { online: true }])),
      tempsC: Object.fromEntries(entries(n).map((name) => [name, 40])),
      powerMW: Object.fromEntries(entries(n).map((name) => [name, { now: 1 }])),
    });
    // A four-A10 server with 256 threads, say.
    expect(accepted(sized(MAX_SAMPLE_ENTRIES, 256))).toBe(true);
    expect(accepted(sized(MAX_SAMPLE_ENTRIES, MAX_SAMPLE_CPUS))).toBe(true);
    const over = sized(MAX_SAMPLE_ENTRIES + 1, MAX_SAMPLE_CPUS + 1);
    for (const field of ["cpus", "engines", "tempsC", "powerMW"] as const) {
      const result = TimedSampleSchema.safeParse({ ...sized(MAX_SAMPLE_ENTRIES), [field]: over[field] });
      expect(result.error?.issues.map((issue) => issue.path.join("."))).toEqual([field]);
    }
    expect(accepted({ t: T, time: "x".repeat(1_000) })).toBe(false);
  });

  it("bounds the summary's sensor table as the sample's, so a summary of an unbounded sample does not parse", () => {
    expect(LatestTelemetrySchema.safeParse({ t: T, tempsC: { cpu: 52.5, cv0: -256 } }).success).toBe(true);
    expect(LatestTelemetrySchema.safeParse({ t: T, tempsC: { cpu: 1e308 } }).success).toBe(false);
  });
});
