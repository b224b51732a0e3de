import { round } from "../bench/stats.js";

/** One of the soak's looks at memory and CPU. */
export interface MemorySample {
  minute: number;
  /** The workerd that runs the Worker and its objects. */
  workerMiB: number;
  /** wrangler's proxy workerd (local only). */
  proxyMiB: number;
  /** The Worker's live JS heap after a full collection, when the inspector answered. */
  jsHeapMiB: number | undefined;
  workerdCpuPct: number;
  soakCpuPct: number;
  loadAverage: number;
}

/** Below this slope a series counts as flat: under 60 MiB an hour, 4% of the Worker's memory at 1,000 devices. */
export const FLAT_MIB_PER_MINUTE = 1;

/** The least-squares slope of `points` in MiB per minute; NaN with fewer than two distinct minutes. */
export function slopePerMinute(points: readonly { minute: number; mib: number }[]): number {
  const n = points.length;
  const meanX = points.reduce((sum, p) => sum + p.minute, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.mib, 0) / n;
  const sxx = points.reduce((sum, p) => sum + (p.minute - meanX) ** 2, 0);
  const sxy = points.reduce((sum, p) => sum + (p.minute - meanX) * (p.mib - meanY), 0);
  return sxx > 0 ? round(sxy / sxx) : Number.NaN;
}

const SERIES = {
  "the Worker's workerd": (sample: MemorySample) => sample.workerMiB,
  "wrangler's proxy workerd": (sample: MemorySample) => sample.proxyMiB,
  "the Worker's JS heap": (sample: MemorySample) => sample.jsHeapMiB,
} as const;

/**
 * Each series' slope over the run's last third (after the half-way restart, once the Worker has
 * settled again) and a one-line verdict: flat, or what grows and how fast.
 */
export function memoryVerdict(samples: readonly MemorySample[], minutes: number) {
  const last = samples.filter((sample) => sample.minute >= (2 * minutes) / 3);
  const slopes = Object.fromEntries(
    Object.entries(SERIES).map(([name, value]) => {
      const points = last.flatMap((sample) => {
        const mib = value(sample);
        return mib === undefined ? [] : [{ minute: sample.minute, mib }];
      });
      return [name, slopePerMinute(points)];
    }),
  );
  const growing = Object.entries(slopes).filter(([, slope]) => !(slope < FLAT_MIB_PER_MINUTE));
  const verdict =
    growing.length === 0
      ? `flat: every series under ${FLAT_MIB_PER_MINUTE} MiB a minute over the last third`
      : `not flat: ${growing.map(([name, slope]) => `${name} ${Number.isNaN(slope) ? "(too few figures)" : `+${slope} MiB a minute`}`).join(", ")} over the last third`;
  return { "slope over the last third (MiB a minute)": slopes, verdict };
}
