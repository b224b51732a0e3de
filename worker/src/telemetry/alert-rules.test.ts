import { type AlertKind, type AlertThresholds, AlertThresholdsSchema, type TimedSample } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { type EvaluatorState, evaluate } from "./alert-rules.js";

const DEFAULTS = AlertThresholdsSchema.parse({});

/** Feeds samples one by one, keeping the active set and state as the store would. */
function run(samples: Array<Omit<TimedSample, "t">>, thresholds: AlertThresholds = DEFAULTS) {
  let active = new Set<AlertKind>();
  let state: EvaluatorState = { lastT: 0 };
  const changes: string[] = [];
  samples.forEach((sample, i) => {
    const result = evaluate([{ ...sample, t: (i + 1) * 1000 }], active, thresholds, state);
    state = result.state;
    for (const t of result.transitions) {
      changes.push(`${t.change} ${t.kind} @${i}`);
      active = new Set(active);
      if (t.change === "raise") active.add(t.kind);
      else active.delete(t.kind);
    }
  });
  return { changes, active };
}

const hot = (c: number) => ({ tempsC: { tj: c } });

describe("alert rules", () => {
  it("raise at the raise threshold and clear only past the clear one, with no flapping between", () => {
    const { changes } = run([hot(84.9), hot(85), hot(82), hot(84.9), hot(80), hot(79.9), hot(84), hot(86)]);
    expect(changes).toEqual(["raise temperature @1", "clear temperature @5", "raise temperature @7"]);
  });

  it("leave an alert as it is when a sample does not carry the value", () => {
    const { changes, active } = run([hot(90), { ram: { usedMB: 1, totalMB: 2 } }]);
    expect(changes).toEqual(["raise temperature @0"]);
    expect([...active]).toEqual(["temperature"]);
  });

  it("raise disk at 90 % and clear below 85 %", () => {
    const disk = (pct: number) => ({ disk: { usedMB: pct, totalMB: 100 } });
    expect(run([disk(89), disk(91), disk(86), disk(84)]).changes).toEqual(["raise disk @1", "clear disk @3"]);
  });

  it("watch power only where a limit is set", () => {
    const power = (mw: number) => ({ totalPowerMW: mw });
    expect(run([power(50_000)]).changes).toEqual([]);
    const limited = AlertThresholdsSchema.parse({ powerMW: { raise: 15_000, clear: 12_000 } });
    expect(run([power(16_000), power(13_000), power(11_000)], limited).changes).toEqual(["raise power @0", "clear power @2"]);
  });

  it("call it throttling when hot, busy and clocked well below the last busy, cool clock", () => {
    const cpu = (c: number, load: number, mhz: number) => ({ tempsC: { cpu: c }, cpus: [{ loadPct: load, freqMHz: mhz }] });
    const { changes } = run([
      cpu(60, 90, 2200), // busy and cool: the reference clock
      cpu(86, 90, 2100), // hot, not capped
      cpu(88, 90, 1400), // hot, busy, capped
      cpu(84, 85, 1900), // inside every band: still throttled
      cpu(84, 85, 2100), // clock back above 0.9 of the reference
    ]);
    expect(changes).toEqual(["raise temperature @1", "raise throttling @2", "clear throttling @4"]);
  });

  it("does not mistake a lower power mode for throttling", () => {
    const cpu = (c: number, mhz: number) => ({ tempsC: { cpu: c }, cpus: [{ loadPct: 95, freqMHz: mhz }] });
    const { changes } = run([cpu(60, 2200), cpu(62, 1200), cpu(87, 1200)]);
    expect(changes).toEqual(["raise temperature @2"]);
  });

  it("skip samples older than the newest evaluated one", () => {
    const state = { lastT: 10_000 };
    expect(evaluate([{ t: 5_000, tempsC: { cpu: 99 } }], new Set(), DEFAULTS, state).transitions).toEqual([]);
  });
});
