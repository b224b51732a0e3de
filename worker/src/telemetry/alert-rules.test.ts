import { type AlertKind, type AlertThresholds, AlertThresholdsSchema, type TimedSample } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { type EvaluatorState, evaluate } from "./alert-rules.js";

const DEFAULTS = AlertThresholdsSchema.parse({});
const CLEAR_HOLD_MS = DEFAULTS.clearAfterSeconds * 1000;

/**
 * Feeds samples one by one, `stepMs` apart (by default the hold, so that one sample past the clear
 * level starts it and the next one ends it), keeping the active set and state as the store would.
 */
function run(samples: Array<Omit<TimedSample, "t">>, thresholds: AlertThresholds = DEFAULTS, stepMs = CLEAR_HOLD_MS) {
  let active = new Set<AlertKind>();
  let state: EvaluatorState = { lastT: 0 };
  const changes: string[] = [];
  samples.forEach((sample, i) => {
    const result = evaluate([{ ...sample, t: (i + 1) * stepMs }], active, thresholds, state);
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
    const { changes } = run([hot(84.9), hot(85), hot(82), hot(84.9), hot(80), hot(79.9), hot(79), hot(84), hot(86)]);
    expect(changes).toEqual(["raise temperature @1", "clear temperature @6", "raise temperature @8"]);
  });

  it("keep one alert open while a reading swings across the whole band, clearing it once past the clear level for the hold", () => {
    const limited = AlertThresholdsSchema.parse({ powerMW: { raise: 10_000, clear: 9_000 } });
    const power = (mw: number) => ({ totalPowerMW: mw });
    // Once a second: 12 W and 6 W in turn for over an hour, then 6 W for the hold.
    const swinging = Array.from({ length: 4_000 }, (_, i) => power(i % 2 === 0 ? 12_000 : 6_000));
    const calm = Array.from({ length: CLEAR_HOLD_MS / 1_000 + 1 }, () => power(6_000));
    const { changes, active } = run([...swinging, ...calm], limited, 1_000);
    expect(changes).toEqual(["raise power @0", `clear power @${swinging.length - 1 + CLEAR_HOLD_MS / 1_000}`]);
    expect([...active]).toEqual([]);
  });

  it("count the hold from the first sample past the clear level, through samples that cannot tell, and start it again when the condition returns", () => {
    // Half a hold apart: without 82 °C (inside the band, so the alert holds) it would clear at @3.
    const { changes } = run([hot(90), hot(70), hot(82), hot(70), { ram: { usedMB: 1, totalMB: 2 } }, hot(70)], DEFAULTS, CLEAR_HOLD_MS / 2);
    expect(changes).toEqual(["raise temperature @0", "clear temperature @5"]);
  });

  it("clear after the hold the thresholds set: at once with 0 s", () => {
    const quick = AlertThresholdsSchema.parse({ clearAfterSeconds: 0 });
    expect(run([hot(90), hot(70)], quick, 1_000).changes).toEqual(["raise temperature @0", "clear temperature @1"]);
    expect(run([hot(90), hot(70), hot(70)], DEFAULTS, 1_000).changes).toEqual(["raise temperature @0"]);
  });

  it("leave an alert as it is when a sample does not carry the value", () => {
    const { changes, active } = run([hot(90), { ram: { usedMB: 1, totalMB: 2 } }]);
    expect(changes).toEqual(["raise temperature @0"]);
    expect([...active]).toEqual(["temperature"]);
  });

  it("raise disk at 90 % and clear below 85 %", () => {
    const disk = (pct: number) => ({ disk: { usedMB: pct, totalMB: 100 } });
    expect(run([disk(89), disk(91), disk(86), disk(84), disk(84)]).changes).toEqual(["raise disk @1", "clear disk @4"]);
  });

  it("watch power only where a limit is set", () => {
    const power = (mw: number) => ({ totalPowerMW: mw });
    expect(run([power(50_000)]).changes).toEqual([]);
    const limited = AlertThresholdsSchema.parse({ powerMW: { raise: 15_000, clear: 12_000 } });
    expect(run([power(16_000), power(13_000), power(11_000), power(11_000)], limited).changes).toEqual(["raise power @0", "clear power @3"]);
  });

  it("call it throttling when hot, busy and clocked well below the last busy, cool clock", () => {
    const cpu = (c: number, load: number, mhz: number) => ({ tempsC: { cpu: c }, cpus: [{ loadPct: load, freqMHz: mhz }] });
    const { changes } = run([
      cpu(60, 90, 2200), // busy and cool: the reference clock
      cpu(86, 90, 2100), // hot, not capped
      cpu(88, 90, 1400), // hot, busy, capped
      cpu(84, 85, 1900), // inside every band: still throttled
      cpu(84, 85, 2100), // clock back above 0.9 of the reference
      cpu(84, 85, 2100), // and so for the hold
    ]);
    expect(changes).toEqual(["raise temperature @1", "raise throttling @2", "clear throttling @5"]);
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
