import { type LatestTelemetry, MAX_SAMPLE_ENTRIES, type TelemetrySample } from "@jetson/protocol";

/** A sample flattened to named numbers: what rollups keep and alert rules read. */
export type Metrics = ReadonlyMap<string, number>;

type Cpu = NonNullable<TelemetrySample["cpus"]>[number];

const onlineCpus = (s: TelemetrySample): Cpu[] => (s.cpus ?? []).filter((cpu) => cpu.online !== false);
const defined = (values: Array<number | undefined>): number[] => values.filter((v): v is number => v !== undefined);
const maxOf = (values: Array<number | undefined>): number | undefined => {
  const present = defined(values);
  return present.length > 0 ? Math.max(...present) : undefined;
};
const meanOf = (values: Array<number | undefined>): number | undefined => {
  const present = defined(values);
  return present.length > 0 ? present.reduce((a, b) => a + b, 0) / present.length : undefined;
};
const percent = (part: { usedMB: number; totalMB: number } | undefined): number | undefined =>
  part && part.totalMB > 0 ? (100 * part.usedMB) / part.totalMB : undefined;

/** Board-independent metrics: name → how to read it (undefined when the sample does not say). */
const FIXED: Record<string, (s: TelemetrySample) => number | undefined> = {
  "temp.max": (s) => maxOf(Object.values(s.tempsC ?? {})),
  "cpu.load": (s) => meanOf(onlineCpus(s).map((cpu) => cpu.loadPct)),
  "cpu.online": (s) => (s.cpus ? onlineCpus(s).length : undefined),
  // The fastest core shows a frequency cap; idle cores clock down anyway.
  "cpu.freqMHz": (s) => maxOf(onlineCpus(s).map((cpu) => cpu.freqMHz)),
  "gpu.load": (s) => s.gpu?.loadPct,
  "gpu.freqMHz": (s) => s.gpu?.freqMHz,
  "ram.usedMB": (s) => s.ram?.usedMB,
  "ram.usedPct": (s) => percent(s.ram),
  "swap.usedMB": (s) => s.swap?.usedMB,
  "power.totalMW": (s) => s.totalPowerMW,
  "fan.pwmPct": (s) => s.fan?.pwmPct,
  "disk.usedMB": (s) => s.disk?.usedMB,
  "disk.usedPct": (s) => percent(s.disk),
};

/** Metrics named by the board: each temperature sensor and each power rail. */
const FAMILIES: Record<string, (s: TelemetrySample) => Record<string, number>> = {
  temp: (s) => s.tempsC ?? {},
  power: (s) => Object.fromEntries(Object.entries(s.powerMW ?? {}).map(([rail, { now }]) => [rail, now])),
};

/** Bounds what one sample can add to storage, whatever a bridge sends: as many as one of its tables may hold. */
export const MAX_METRICS = MAX_SAMPLE_ENTRIES;
const MAX_NAME = 64;

export const FIXED_METRICS = Object.keys(FIXED);
export const METRIC_FAMILIES = Object.keys(FAMILIES);

export function flatten(sample: TelemetrySample): Metrics {
  const metrics = new Map<string, number>();
  for (const [name, read] of Object.entries(FIXED)) {
    const value = read(sample);
    if (value !== undefined && Number.isFinite(value)) metrics.set(name, value);
  }
  for (const [family, read] of Object.entries(FAMILIES)) {
    for (const [member, value] of Object.entries(read(sample))) {
      const name = `${family}.${member}`;
      if (metrics.size >= MAX_METRICS) return metrics;
      if (name.length <= MAX_NAME && !metrics.has(name) && Number.isFinite(value)) metrics.set(name, value);
    }
  }
  return metrics;
}

/** Whether `metric` is asked for by a filter of names and families (`temp` selects `temp.*`). */
export function selected(metric: string, filter: readonly string[] | undefined): boolean {
  return !filter || filter.some((f) => metric === f || metric.startsWith(`${f}.`));
}

/**
 * `value` to `decimals` places. Scaling it first would overflow a finite value near the largest double into
 * Infinity (which JSON stores as null); past 2^52 a double has no fraction to round away, so it stays as it is.
 */
export function roundTo(value: number, decimals: number): number {
  if (Math.abs(value) >= 2 ** 52) return value;
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

const round1 = (value: number | undefined) => (value === undefined ? undefined : roundTo(value, 1));

/** Bounds what each sensor, rail or engine table adds to a device's summary, whatever a bridge sends. */
export const MAX_LATEST_ENTRIES = 32;
const bounded = <T>(table: Record<string, T> | undefined): Record<string, T> | undefined =>
  table && Object.fromEntries(Object.entries(table).slice(0, MAX_LATEST_ENTRIES));

export function latestOf(sample: TelemetrySample & { t: number }): LatestTelemetry {
  const m = flatten(sample);
  const rails = sample.powerMW && Object.fromEntries(Object.entries(sample.powerMW).map(([rail, { now }]) => [rail, now]));
  return {
    t: sample.t,
    hottestC: round1(m.get("temp.max")),
    cpuLoadPct: round1(m.get("cpu.load")),
    gpuLoadPct: round1(m.get("gpu.load")),
    emcLoadPct: sample.emc?.loadPct,
    ramUsedPct: round1(m.get("ram.usedPct")),
    powerMW: m.get("power.totalMW"),
    diskUsedPct: round1(m.get("disk.usedPct")),
    tempsC: bounded(sample.tempsC),
    railsMW: bounded(rails),
    engines: bounded(sample.engines),
    ram: sample.ram,
    swap: sample.swap,
    disk: sample.disk,
    fan: sample.fan,
  };
}
