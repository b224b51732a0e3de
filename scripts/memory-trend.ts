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

/**
 * What SQLite's page caches add to the Worker's workerd once full, whatever the number of objects
 * or how much each stores: scripts/sqlite-cache-cap.ts measured +120 to +185 MiB with 40 objects
 * and +135 to +160 MiB with 120, each storing 3 to 13 MiB of telemetry. workerd refuses
 * `PRAGMA cache_size` (SQLITE_AUTH), so the Worker cannot set it.
 */
export const SQLITE_CACHES_MIB = 150;

const SERIES = {
  worker: (sample: MemorySample) => sample.workerMiB,
  proxy: (sample: MemorySample) => sample.proxyMiB,
  jsHeap: (sample: MemorySample) => sample.jsHeapMiB,
} as const;

type Series = keyof typeof SERIES;

/** What a series growing over the last third means; `plateau` is where the Worker's workerd should level off. */
const GROWING: Record<Series, (slope: number, last: number, plateau: number) => string> = {
  worker: (slope, last, plateau) =>
    last < plateau
      ? `the Worker's workerd +${slope} MiB a minute, at ${last} of the ~${plateau} MiB where SQLite's page caches are full (bounded)`
      : `the Worker's workerd +${slope} MiB a minute past the ~${plateau} MiB where SQLite's page caches are full (not explained by them)`,
  proxy: (slope) =>
    `wrangler's proxy workerd +${slope} MiB a minute (reconnections: it levels off about 145 MiB up after some 3,000, scripts/reconnect-memory.ts; local only)`,
  jsHeap: (slope) => `the Worker's JS heap +${slope} MiB a minute (a leak in the Worker's code: run with --heap-census)`,
};

/**
 * Each series' slope over the run's last third (after the half-way restart), where the Worker's
 * workerd should level off (its first figure after the restart plus SQLite's page caches), and a
 * one-line verdict.
 */
export function memoryVerdict(samples: readonly MemorySample[], minutes: number) {
  const afterRestart = samples.filter((sample) => sample.minute > minutes / 2);
  const lastThird = samples.filter((sample) => sample.minute >= (2 * minutes) / 3);
  const plateau = (afterRestart[0]?.workerMiB ?? Number.NaN) + SQLITE_CACHES_MIB;
  const slopes = Object.fromEntries(
    (Object.keys(SERIES) as Series[]).map((name) => {
      const points = lastThird.flatMap((sample) => {
        const mib = SERIES[name](sample);
        return mib === undefined ? [] : [{ minute: sample.minute, mib }];
      });
      return [name, slopePerMinute(points)];
    }),
  ) as Record<Series, number>;
  const last = lastThird.at(-1)?.workerMiB ?? Number.NaN;
  const names = Object.keys(SERIES) as Series[];
  const growing = names.filter((name) => slopes[name] >= FLAT_MIB_PER_MINUTE);
  const unknown = names.filter((name) => Number.isNaN(slopes[name]));
  const verdict = [
    growing.length === 0
      ? `flat: every series with figures under ${FLAT_MIB_PER_MINUTE} MiB a minute over the last third`
      : `over the last third: ${growing.map((name) => GROWING[name](slopes[name], last, plateau)).join("; ")}`,
    ...(unknown.length > 0 ? [`too few figures for ${unknown.join(", ")}`] : []),
  ].join("; ");
  return {
    "slope over the last third (MiB a minute)": slopes,
    "the Worker's workerd levels off at about (MiB)": plateau,
    verdict,
  };
}
