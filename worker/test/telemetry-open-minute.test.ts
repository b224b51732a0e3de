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
function inRebuiltObjects<T>(name: string, steps: (fresh: () => TelemetryStore) => T): Promise<T> {
  return runInDurableObject(env.DEVICE.get(env.DEVICE.idFromName(name)), (_instance, ctx) => {
    // A device object gets its tables when provisioned; this one never was.
    migrate(ctx.storage, [TELEMETRY_SCHEMA]);
    return steps(() => new TelemetryStore(ctx.storage));
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
});
