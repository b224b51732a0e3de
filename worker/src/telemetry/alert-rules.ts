import type { AlertKind, AlertThresholds, TimedSample } from "@jetson/protocol";
import { flatten, type Metrics } from "./metrics.js";

type Band = { raise: number; clear: number };
type SampleAlertKind = Exclude<AlertKind, "offline">;

/** What the rules remember between samples. */
export interface EvaluatorState {
  /** Time of the newest sample evaluated: older ones (a resent buffer) fill history but do not re-decide alerts. */
  lastT: number;
  /** The fastest core's clock in the newest sample taken while busy and cool: what "capped" is measured against. */
  referenceFreqMHz?: number;
  /** Per active alert whose condition is off: the first sample since which it has stayed off. */
  offSince?: Partial<Record<SampleAlertKind, number>>;
}

export interface RuleContext {
  thresholds: AlertThresholds;
  referenceFreqMHz?: number;
}

export type Transition =
  | { kind: AlertKind; change: "raise"; at: number; value: number; message: string }
  | { kind: AlertKind; change: "clear"; at: number };

interface SampleRule {
  value(m: Metrics): number | undefined;
  /**
   * Whether the condition holds: judged on the raise side of its band while
   * the alert is inactive and on the clear side while active, so values between
   * the two change nothing. Undefined when the sample cannot tell.
   */
  holds(m: Metrics, ctx: RuleContext, active: boolean): boolean | undefined;
  message(value: number, ctx: RuleContext): string;
}

/** A value above a band; with no band (no limit set) the condition never holds, so a raised alert clears. */
function above(value: number | undefined, band: Band | undefined, active: boolean): boolean | undefined {
  if (band === undefined) return false;
  if (value === undefined) return undefined;
  return value >= (active ? band.clear : band.raise);
}

const fixed = (value: number, digits = 1) => Number(value.toFixed(digits));
const held = ({ thresholds }: RuleContext) => `after ${thresholds.clearAfterSeconds} s`;

/*
 * Throttling, kept simple: the board is hot (the temperature band), the CPU is
 * busy, and its fastest core runs below capRatio of the clock it had when last
 * busy and cool. Measuring against that recent clock rather than an all-time
 * peak keeps a lower power mode from looking like throttling. The clear side
 * widens each condition: 10 points of load, 0.1 of the ratio.
 */
const throttled: SampleRule["holds"] = (m, { thresholds, referenceFreqMHz: reference }, active) => {
  const hot = above(m.get("temp.max"), thresholds.temperatureC, active);
  const load = m.get("cpu.load");
  const freq = m.get("cpu.freqMHz");
  if (hot === undefined || load === undefined || freq === undefined || reference === undefined) return undefined;
  const { busyPct, capRatio } = thresholds.throttling;
  const busy = load >= busyPct - (active ? 10 : 0);
  const capped = freq < reference * (capRatio + (active ? 0.1 : 0));
  return hot && busy && capped;
};

/** Each message says what the sample that raised the alert read: the alert keeps it as raised, while telemetry goes on. */
export const SAMPLE_RULES: Record<SampleAlertKind, SampleRule> = {
  temperature: {
    value: (m) => m.get("temp.max"),
    holds: (m, { thresholds }, active) => above(m.get("temp.max"), thresholds.temperatureC, active),
    message: (v, ctx) =>
      `Hottest sensor reached ${fixed(v)} °C (raised at ${ctx.thresholds.temperatureC.raise} °C, clears ${held(ctx)} below ${ctx.thresholds.temperatureC.clear} °C).`,
  },
  throttling: {
    value: (m) => m.get("cpu.freqMHz"),
    holds: throttled,
    message: (v, { thresholds, referenceFreqMHz }) =>
      `CPU capped at ${fixed(v, 0)} MHz when raised, while hot and busy: under ${thresholds.throttling.capRatio * 100} % of the ${referenceFreqMHz} MHz it ran at when last busy and cool.`,
  },
  power: {
    value: (m) => m.get("power.totalMW"),
    holds: (m, { thresholds }, active) => above(m.get("power.totalMW"), thresholds.powerMW, active),
    message: (v, ctx) =>
      `Drew ${fixed(v / 1000)} W (limit ${(ctx.thresholds.powerMW?.raise ?? 0) / 1000} W, clears ${held(ctx)} below ${(ctx.thresholds.powerMW?.clear ?? 0) / 1000} W).`,
  },
  disk: {
    value: (m) => m.get("disk.usedPct"),
    holds: (m, { thresholds }, active) => above(m.get("disk.usedPct"), thresholds.diskPct, active),
    message: (v, ctx) => `Disk reached ${fixed(v)} % full (raised at ${ctx.thresholds.diskPct.raise} %, clears ${held(ctx)} below ${ctx.thresholds.diskPct.clear} %).`,
  },
};

/** The reference clock moves only on samples that are busy and clearly cool. */
function nextReference(m: Metrics, thresholds: AlertThresholds): number | undefined {
  const temp = m.get("temp.max");
  const load = m.get("cpu.load");
  const cool = temp !== undefined && temp < thresholds.temperatureC.clear;
  const busy = load !== undefined && load >= thresholds.throttling.busyPct;
  return cool && busy ? m.get("cpu.freqMHz") : undefined;
}

/**
 * Runs every sample rule over new samples in time order; returns the raises and clears, and the new state.
 * An alert clears once its condition has stayed off for the thresholds' clearAfterSeconds.
 * `measured` gives a sample's metrics when the caller has them already (storing flattened it).
 */
export function evaluate(
  samples: readonly TimedSample[],
  active: ReadonlySet<AlertKind>,
  thresholds: AlertThresholds,
  state: EvaluatorState,
  measured: (sample: TimedSample) => Metrics = flatten,
): { transitions: Transition[]; state: EvaluatorState } {
  const current = new Set(active);
  const transitions: Transition[] = [];
  let { lastT, referenceFreqMHz } = state;
  const offSince = { ...state.offSince };
  for (const sample of samples) {
    if (sample.t <= lastT) continue;
    lastT = sample.t;
    const m = measured(sample);
    const ctx: RuleContext = { thresholds, referenceFreqMHz };
    for (const [kind, rule] of Object.entries(SAMPLE_RULES) as Array<[SampleAlertKind, SampleRule]>) {
      const isActive = current.has(kind);
      const holds = rule.holds(m, ctx, isActive);
      const value = rule.value(m);
      if (holds === true) delete offSince[kind];
      if (holds === true && !isActive && value !== undefined) {
        current.add(kind);
        transitions.push({ kind, change: "raise", at: sample.t, value: fixed(value, 3), message: rule.message(value, ctx) });
      } else if (holds === false && isActive) {
        const since = (offSince[kind] ??= sample.t);
        if (sample.t - since >= thresholds.clearAfterSeconds * 1000) {
          current.delete(kind);
          delete offSince[kind];
          transitions.push({ kind, change: "clear", at: sample.t });
        }
      }
    }
    referenceFreqMHz = nextReference(m, thresholds) ?? referenceFreqMHz;
  }
  return { transitions, state: { lastT, referenceFreqMHz, ...(Object.keys(offSince).length > 0 && { offSince }) } };
}
