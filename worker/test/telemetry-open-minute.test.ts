import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { TimedSample } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { migrate } from "../src/sqlite-migrations.js";
import { TELEMETRY_SCHEMA, TelemetryStore } from "../src/telemetry/telemetry-store.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const sample = (t: number, tempC: number): TimedSample => ({ t, tempsC: { cpu: tempC } });

/**
 * Runs `steps` in one object whose telemetry tables exist, each step with a TelemetryStore of its own:
 * what a rebuilt object (after hibernation or eviction) has, storage but no memory.
 */
function inRebuiltObjects<T>(name: string, steps: (fresh: () => TelemetryStore, sql: SqlStorage) => T): Promise<T> {
  return runInDurableObject(env.DEVICE.get(env.DEVICE.idFromName(name)), (_instance, ctx) => {
    // A device object gets its tables when provisioned; this one never was.
    migrate(ctx.storage, [TELEMETRY_SCHEMA]);
    return steps(() => new TelemetryStore(ctx.storage), ctx.storage.sql);
  });
}

/** The 1-minute rollup of temp.max for each minute of [from, to]. */
function minutes(store: TelemetryStore, from: number, to: number) {
  const series = store.query({ from, to, resolution: "1m", maxPoints: 1_000, metrics: ["temp.max"] });
  return (series.rollups ?? []).map((point) => ({ t: point.t, ...point.metrics["temp.max"] }));
}

describe("the newest minute's rollups, folded when it ends", () => {
  it("survive the object being rebuilt before the minute ends, and count a resent sample once", () =>
    inRebuiltObjects("open-minute-rebuilt", (fresh) => {
      const now = Date.now();
      const minute = Math.floor(now / MINUTE) * MINUTE - 10 * MINUTE;
      fresh().ingest([sample(minute, 50), sample(minute + 10_000, 60)], now);
      // Rebuilt: the rest of that minute, a resent sample, then the next minute ends it.
      const rebuilt = fresh();
      rebuilt.ingest([sample(minute + 10_000, 60), sample(minute + 20_000, 70)], now);
      fresh().ingest([sample(minute + MINUTE, 40)], now);
      // A sample late for a minute already folded folds into it at once.
      fresh().ingest([sample(minute + 30_000, 80)], now);

      return minutes(fresh(), minute, minute + 2 * MINUTE - 1);
    }).then((rollups) =>
      expect(rollups).toEqual([
        { t: expect.any(Number), min: 50, mean: 65, max: 80, count: 4 },
        { t: expect.any(Number), min: 40, mean: 40, max: 40, count: 1 },
      ]),
    ));

  it("are made before retention drops the minute's raw samples", () =>
    inRebuiltObjects("open-minute-retention", (fresh) => {
      const now = Date.now();
      const old = Math.floor((now - 25 * HOUR) / MINUTE) * MINUTE;
      fresh().ingest([sample(old, 55), sample(old + 1_000, 65)], now);
      fresh().expire(now);
      const raw = fresh().query({ from: old, to: old + MINUTE - 1, resolution: "raw", maxPoints: 1_000 }).samples ?? [];
      return { raw: raw.length, rollups: minutes(fresh(), old, old + MINUTE - 1) };
    }).then(({ raw, rollups }) => {
      expect(raw).toBe(0);
      expect(rollups).toEqual([{ t: expect.any(Number), min: 55, mean: 60, max: 65, count: 2 }]);
    }));

  it("lose nothing when storing a batch fails and is rolled back", () =>
    inRebuiltObjects("open-minute-rollback", (fresh, sql) => {
      const now = Date.now();
      const minute = Math.floor(now / MINUTE) * MINUTE - 10 * MINUTE;
      const store = fresh();
      store.ingest([sample(minute, 50)], now);
      // A query folds the open minute: the next sample of it folds at once, and a newer minute opens.
      expect(minutes(store, minute, minute + MINUTE - 1)).toHaveLength(1);
      sql.exec("CREATE TRIGGER storage_full BEFORE INSERT ON rollups BEGIN SELECT RAISE(ABORT, 'storage full'); END");
      expect(() => store.ingest([sample(minute + 1_000, 60), sample(minute + MINUTE, 40)], now)).toThrow("storage full");
      sql.exec("DROP TRIGGER storage_full");
      // The device sends the batch again, as it does without a PUBACK.
      store.ingest([sample(minute + 1_000, 60), sample(minute + MINUTE, 40)], now);
      // Rebuilt before the open minute ends: the next minute's sample ends it.
      fresh().ingest([sample(minute + 2 * MINUTE, 30)], now);
      return minutes(fresh(), minute, minute + 3 * MINUTE - 1);
    }).then((rollups) =>
      expect(rollups).toEqual([
        { t: expect.any(Number), min: 50, mean: 55, max: 60, count: 2 },
        { t: expect.any(Number), min: 40, mean: 40, max: 40, count: 1 },
        { t: expect.any(Number), min: 30, mean: 30, max: 30, count: 1 },
      ]),
    ));
});
