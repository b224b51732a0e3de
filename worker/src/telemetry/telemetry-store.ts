import type { RollupPoint, TelemetryRange, TelemetrySeries, TimedSample } from "@jetson/protocol";
import { MAX_METRIC_NAMES, MetricNames } from "./metric-names.js";
import { flatten, type Metrics, roundTo, selected } from "./metrics.js";
import {
  MAX_CLOCK_AHEAD_MS,
  MAX_RAW_ROWS,
  RAW_RETENTION_MS,
  RETENTION_EVERY_MS,
  ROLLUP_RETENTION_MS,
} from "./retention.js";
import type { Schema } from "../sqlite-migrations.js";

const MINUTE = 60_000;

/*
 * Raw samples are keyed by their time, so a batch delivered twice (QoS 1, or a
 * bridge resending its offline buffer) is stored and counted once.
 * Rollups are narrow, one row per minute and metric: sensor and rail names
 * differ from board to board, a late sample folds into its minute with one
 * UPSERT (min, max, sum and count combine in any order), and wider buckets are
 * one GROUP BY. The mean is sum / count, computed when read.
 *
 * The newest minute is folded once, when it ends, not batch by batch: one
 * UPSERT per metric per batch was most of a batch's cost. Which minute waits
 * so is a row of its own, and its samples are its raw rows, so a rebuilt object
 * still knows; a query or the retention alarm folds it early, and a sample for
 * a minute already folded folds into it at once.
 *
 * Sensor and rail names are a device's own: MetricNames bounds how many it has
 * rollups of (metric_names), so rollup rows per minute stay bounded.
 */
export const TELEMETRY_SCHEMA: Schema = {
  name: "telemetry",
  migrations: [
    `
  CREATE TABLE IF NOT EXISTS samples (t INTEGER PRIMARY KEY, sample TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS rollups (
    minute INTEGER NOT NULL,
    metric TEXT NOT NULL,
    min REAL NOT NULL,
    max REAL NOT NULL,
    sum REAL NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (minute, metric)
  ) WITHOUT ROWID;
  -- The first telemetry table had no retention and no rollups; its rows are not carried over.
  DROP TABLE IF EXISTS telemetry;
`,
    "CREATE TABLE IF NOT EXISTS open_minute (minute INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS metric_names (metric TEXT PRIMARY KEY, day INTEGER NOT NULL) WITHOUT ROWID",
  ],
};

const FOLD_COLUMNS = 6;
/**
 * Rollup rows per statement: a Durable Object's SQL statement binds at most 100 parameters. Measured,
 * a statement per chunk costs about 15% less than one per row.
 */
const FOLDS_PER_STATEMENT = Math.floor(100 / FOLD_COLUMNS);

const foldRollups = cached((rows) => `
  INSERT INTO rollups (minute, metric, min, max, sum, count) VALUES ${placeholders(rows, FOLD_COLUMNS)}
  ON CONFLICT (minute, metric) DO UPDATE SET
    min = min(rollups.min, excluded.min),
    max = max(rollups.max, excluded.max),
    sum = rollups.sum + excluded.sum,
    count = rollups.count + excluded.count
`);

/** Each statement's text by its row count, made once: a batch asks for the same few. */
function cached(statement: (rows: number) => string): (rows: number) => string {
  const texts = new Map<number, string>();
  return (rows) => {
    let text = texts.get(rows);
    if (text === undefined) texts.set(rows, (text = statement(rows)));
    return text;
  };
}

function placeholders(rows: number, columns: number): string {
  const row = `(${Array.from({ length: columns }, () => "?").join(", ")})`;
  return Array.from({ length: rows }, () => row).join(", ");
}


interface Fold {
  minute: number;
  metric: string;
  min: number;
  max: number;
  sum: number;
  count: number;
}

/** A stored sample with the metrics its rollups keep, which the alert rules read next. */
export interface Fresh {
  sample: TimedSample;
  metrics: Metrics;
}

/** What a batch added, and what of it was left out. */
export interface Ingested {
  /** The samples not seen before, oldest first. */
  fresh: Fresh[];
  /** What was left out, each in a sentence for the device's log. */
  refused: string[];
  /** Whether the batch had samples and none was within the accepted time window. */
  noneInWindow: boolean;
}

const minuteOf = (t: number) => Math.floor(t / MINUTE);

/** Each sample's metrics folded by minute and metric. */
function foldsOf(samples: readonly Fresh[]): Map<string, Fold> {
  const folds = new Map<string, Fold>();
  for (const { sample, metrics } of samples) {
    const minute = minuteOf(sample.t);
    addMetrics(folds, minute, metrics, (metric) => `${minute} ${metric}`);
  }
  return folds;
}

function addMetrics(folds: Map<string, Fold>, minute: number, metrics: Metrics, key: (metric: string) => string): void {
  for (const [metric, value] of metrics) {
    const fold = folds.get(key(metric));
    if (fold) {
      fold.min = Math.min(fold.min, value);
      fold.max = Math.max(fold.max, value);
      fold.sum += value;
      fold.count += 1;
    } else {
      folds.set(key(metric), { minute, metric, min: value, max: value, sum: value, count: 1 });
    }
  }
}

/** A device's telemetry in its object's SQLite: raw samples for a day, 1-minute rollups for 30 days. */
export class TelemetryStore {
  private readonly sql: SqlStorage;
  private readonly names: MetricNames;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    this.names = new MetricNames(storage.sql);
  }

  /** Raw samples stored: counted once, then kept as written, so that each batch can keep to MAX_RAW_ROWS without counting. */
  #rawRows: number | undefined;

  /** The minute whose rollups wait in its raw samples (null: none); read once, then kept as written. */
  #open: number | null | undefined;
  /**
   * The open minute's rollups so far, by metric, when this object opened it: folding them at its end then
   * reads nothing back, and an object holds a few dozen running sums rather than the minute's samples.
   * Absent (a rebuilt object, a rollback), the minute's raw samples are read instead.
   */
  #waiting: Map<string, Fold> | undefined;

  /**
   * Stores the samples not seen before and folds them into their minutes (the newest minute when it
   * ends); returns those with their metrics, and what was left out.
   */
  ingest(samples: readonly TimedSample[], now: number): Ingested {
    const oldest = now - ROLLUP_RETENTION_MS;
    const newest = now + MAX_CLOCK_AHEAD_MS;
    const candidates = samples.filter((sample) => sample.t >= oldest && sample.t <= newest);
    const outside = samples.length - candidates.length;
    const refused = outside > 0 ? [`${outside} of ${samples.length} samples outside the accepted time window: check the device clock`] : [];
    if (candidates.length === 0) return { fresh: [], refused, noneInWindow: outside > 0 };
    const unnamed = new Set<string>();
    const fresh = this.atomically(() => {
      const stored: Fresh[] = [];
      for (const sample of candidates) {
        const { t, ...body } = sample;
        // A row per statement: measured, a multi-row INSERT ... RETURNING costs more than a batch's few single ones.
        const insert = this.sql.exec("INSERT INTO samples (t, sample) VALUES (?, ?) ON CONFLICT DO NOTHING", t, JSON.stringify(body));
        if (insert.rowsWritten > 0) stored.push({ sample, metrics: this.names.admit(flatten(sample), t, unnamed) });
      }
      if (this.#rawRows !== undefined) this.#rawRows += stored.length;
      this.capRaw();
      stored.sort((a, b) => a.sample.t - b.sample.t);
      // In time order, so that a minute is only left open when nothing of it is folded yet.
      this.fold(stored.filter((one) => !this.leftOpen(one)));
      return stored;
    });
    const [first] = unnamed;
    if (first !== undefined) {
      refused.push(
        `${unnamed.size} sensor and rail names past the ${MAX_METRIC_NAMES} this device has rollups of (the first, ${first}): their readings are kept in raw samples only`,
      );
    }
    return { fresh, refused, noneInWindow: false };
  }

  /**
   * Keeps the newest MAX_RAW_ROWS raw samples, at each batch and not only at the alarm, whatever rate a bridge
   * sends at. The open minute's samples are the newest, so it never loses the raw samples its rollups wait in.
   */
  private capRaw(): void {
    this.#rawRows ??= Number(this.sql.exec("SELECT count(*) AS n FROM samples").one().n);
    const excess = this.#rawRows - MAX_RAW_ROWS;
    if (excess <= 0) return;
    this.sql.exec("DELETE FROM samples WHERE t IN (SELECT t FROM samples ORDER BY t LIMIT ?)", excess);
    this.#rawRows = MAX_RAW_ROWS;
  }

  /** Whether a new sample waits for its minute to end: the open minute, or a newer one with nothing folded. */
  private leftOpen(stored: Fresh): boolean {
    const minute = minuteOf(stored.sample.t);
    const open = this.openMinute();
    if (open !== null && minute < open) return false;
    if (minute !== open) {
      this.closeOpenMinute();
      const folded = this.sql.exec<{ minute: number | null }>("SELECT max(minute) AS minute FROM rollups").one().minute;
      if (folded !== null && minute <= folded) return false;
      this.setOpenMinute(minute);
    }
    if (this.#waiting) addMetrics(this.#waiting, minute, stored.metrics, (metric) => metric);
    return true;
  }

  /** Folds the open minute's samples; from then on its samples fold as they come. */
  private closeOpenMinute(): void {
    const open = this.openMinute();
    if (open === null) return;
    this.writeFolds(this.#waiting ?? foldsOf(this.rawOf(open)));
    this.setOpenMinute(null);
  }

  private rawOf(minute: number): Fresh[] {
    const rows = this.sql.exec<{ t: number; sample: string }>("SELECT t, sample FROM samples WHERE t BETWEEN ? AND ?", minute * MINUTE, (minute + 1) * MINUTE - 1);
    return rows.toArray().map((row) => {
      const sample = toSample(row);
      // Admitted again, not only filtered: samples stored by the release before the names had a table were never admitted.
      return { sample, metrics: this.names.admit(flatten(sample), sample.t, new Set()) };
    });
  }

  /** One transaction; when it rolls back, what memory holds may be ahead of SQLite, so it is read again. */
  private atomically<T>(work: () => T): T {
    try {
      return this.storage.transactionSync(work);
    } catch (error) {
      this.#open = undefined;
      this.#waiting = undefined;
      this.#rawRows = undefined;
      this.names.reset();
      throw error;
    }
  }

  private openMinute(): number | null {
    this.#open ??= this.sql.exec<{ minute: number }>("SELECT minute FROM open_minute").toArray()[0]?.minute ?? null;
    return this.#open;
  }

  private setOpenMinute(minute: number | null): void {
    // Forgotten first: a write that throws leaves memory to be read again.
    this.#open = undefined;
    this.#waiting = undefined;
    this.sql.exec("DELETE FROM open_minute");
    if (minute !== null) this.sql.exec("INSERT INTO open_minute (minute) VALUES (?)", minute);
    this.#open = minute;
    // Opened here, the minute has no sample yet: each one left open adds to these sums.
    if (minute !== null) this.#waiting = new Map();
  }

  /** Adds samples to their minutes' rollups: one row per minute and metric, whatever the number of samples. */
  private fold(samples: readonly Fresh[]): void {
    this.writeFolds(foldsOf(samples));
  }

  private writeFolds(folds: ReadonlyMap<string, Fold>): void {
    const rows = [...folds.values()];
    for (let start = 0; start < rows.length; start += FOLDS_PER_STATEMENT) {
      const chunk = rows.slice(start, start + FOLDS_PER_STATEMENT);
      this.sql.exec(foldRollups(chunk.length), ...chunk.flatMap((f) => [f.minute, f.metric, f.min, f.max, f.sum, f.count]));
    }
  }

  query(range: TelemetryRange): TelemetrySeries {
    return range.resolution === "raw" ? this.raw(range) : this.rollups(range);
  }

  latest(): TimedSample | undefined {
    const row = this.sql.exec<{ t: number; sample: string }>("SELECT t, sample FROM samples ORDER BY t DESC LIMIT 1").toArray()[0];
    return row && toSample(row);
  }

  /** Removes what is past retention; returns when to trim next, or undefined once nothing is left. */
  expire(now: number): number | undefined {
    // The open minute's raw samples may be past retention: its rollups are made before they go.
    this.atomically(() => this.closeOpenMinute());
    this.#rawRows = undefined;
    this.sql.exec("DELETE FROM samples WHERE t < ?", now - RAW_RETENTION_MS);
    this.capRaw();
    this.sql.exec("DELETE FROM rollups WHERE minute < ?", Math.floor((now - ROLLUP_RETENTION_MS) / MINUTE));
    this.names.expire(now);
    const oldest = this.sql
      .exec<{ t: number | null; minute: number | null }>("SELECT (SELECT min(t) FROM samples) AS t, (SELECT min(minute) FROM rollups) AS minute")
      .one();
    const due = [
      oldest.t === null ? undefined : oldest.t + RAW_RETENTION_MS,
      oldest.minute === null ? undefined : (oldest.minute + 1) * MINUTE + ROLLUP_RETENTION_MS,
    ].filter((d) => d !== undefined);
    return due.length === 0 ? undefined : Math.max(Math.min(...due), now + RETENTION_EVERY_MS);
  }

  /** Every sample in the range, or one per step when there are more than maxPoints. */
  private raw({ from, to, maxPoints }: TelemetryRange): TelemetrySeries {
    const count = Number(this.sql.exec("SELECT count(*) AS n FROM samples WHERE t BETWEEN ? AND ?", from, to).one().n);
    if (count <= maxPoints) {
      const rows = this.sql.exec<{ t: number; sample: string }>("SELECT t, sample FROM samples WHERE t BETWEEN ? AND ? ORDER BY t", from, to);
      return { from, to, resolution: "raw", samples: rows.toArray().map(toSample) };
    }
    const stepMs = Math.ceil((to - from + 1) / maxPoints);
    // SQLite takes the bare column `sample` from the row that holds min(t): the first sample of each step.
    const rows = this.sql.exec<{ t: number; sample: string }>(
      "SELECT min(t) AS t, sample FROM samples WHERE t BETWEEN ? AND ? GROUP BY CAST((t - ?) / ? AS INTEGER) ORDER BY t",
      from,
      to,
      from,
      stepMs,
    );
    return { from, to, resolution: "raw", stepMs, samples: rows.toArray().map(toSample) };
  }

  /** Minute rollups, merged into buckets of several minutes when the range holds more than maxPoints. */
  private rollups({ from, to, maxPoints, metrics }: TelemetryRange): TelemetrySeries {
    this.atomically(() => this.closeOpenMinute());
    const first = Math.floor(from / MINUTE);
    const last = Math.floor(to / MINUTE);
    const width = Math.max(1, Math.ceil((last - first + 1) / maxPoints));
    const rows = this.sql.exec<{ bucket: number; metric: string; min: number; max: number; sum: number; count: number }>(
      `SELECT CAST((minute - ?) / ? AS INTEGER) AS bucket, metric, min(min) AS min, max(max) AS max, sum(sum) AS sum, sum(count) AS count
       FROM rollups WHERE minute BETWEEN ? AND ? GROUP BY bucket, metric ORDER BY bucket`,
      first,
      width,
      first,
      last,
    );
    const points: RollupPoint[] = [];
    for (const row of rows) {
      // A sum that overflowed (minutes stored before samples were bounded) has no mean: the metric is left out, not sent as null.
      const mean = row.sum / row.count;
      if (!selected(row.metric, metrics) || !Number.isFinite(mean)) continue;
      const t = (first + row.bucket * width) * MINUTE;
      let point = points.at(-1);
      if (point?.t !== t) points.push((point = { t, metrics: {} }));
      point.metrics[row.metric] = { min: row.min, mean: roundTo(mean, 3), max: row.max, count: row.count };
    }
    return { from, to, resolution: "1m", stepMs: width * MINUTE, rollups: points };
  }
}

function toSample(row: { t: number; sample: string }): TimedSample {
  return { ...(JSON.parse(row.sample) as Omit<TimedSample, "t">), t: row.t };
}
