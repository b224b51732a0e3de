import { FIXED_METRICS, MAX_METRICS, type Metrics } from "./metrics.js";
import { ROLLUP_RETENTION_MS } from "./retention.js";

const DAY = 86_400_000;
const FIXED = new Set(FIXED_METRICS);

/**
 * The most sensor and rail names a device keeps rollups of. A real board has at most 13 (the fixtures:
 * TX2's 7 sensors and 6 rails), a gateway's discrete GPUs a few more each: as many as one sample may carry
 * leaves room for a set renamed by an upgrade to linger. Rollup rows per minute then stay bounded
 * however a device names its readings.
 */
export const MAX_METRIC_NAMES = MAX_METRICS;

/*
 * A device's vocabulary: the sensor and rail names it has rollups for, each with the day it was last
 * seen, in its object's SQLite (table metric_names, TELEMETRY_SCHEMA). A new name joins while there
 * is room; past MAX_METRIC_NAMES its readings stay in the raw samples only, and the PUBACK says so.
 * A name not seen for the rollup retention leaves, its rollups being gone by then. The board-independent
 * metrics (FIXED_METRICS) are a fixed few, always kept, and not counted.
 */
export class MetricNames {
  /** Name to the day last seen; read once, then kept as written (only this class writes the table). */
  #known: Map<string, number> | undefined;

  constructor(private readonly sql: SqlStorage) {}

  /** The metrics of a sample taken at `t` that rollups keep; each name with no room is added to `refused`. */
  admit(metrics: Metrics, t: number, refused: Set<string>): Metrics {
    const known = this.known();
    const day = Math.floor(t / DAY);
    const kept = new Map<string, number>();
    for (const [name, value] of metrics) {
      if (!FIXED.has(name)) {
        const seen = known.get(name);
        if (seen === undefined && known.size >= MAX_METRIC_NAMES) {
          refused.add(name);
          continue;
        }
        if (seen === undefined || seen < day) this.see(name, day);
      }
      kept.set(name, value);
    }
    return kept;
  }

  /** Lets go of the names not seen for the rollup retention. */
  expire(now: number): void {
    this.#known = undefined;
    this.sql.exec("DELETE FROM metric_names WHERE day < ?", Math.floor((now - ROLLUP_RETENTION_MS) / DAY));
  }

  /** Forgets what memory holds, for SQLite to be read again (a transaction rolled back). */
  reset(): void {
    this.#known = undefined;
  }

  private known(): Map<string, number> {
    this.#known ??= new Map(this.sql.exec<{ metric: string; day: number }>("SELECT metric, day FROM metric_names").toArray().map((row) => [row.metric, row.day]));
    return this.#known;
  }

  private see(name: string, day: number): void {
    this.sql.exec("INSERT INTO metric_names (metric, day) VALUES (?, ?) ON CONFLICT (metric) DO UPDATE SET day = max(day, excluded.day)", name, day);
    this.known().set(name, day);
  }
}
