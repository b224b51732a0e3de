import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { TelemetrySeries, TimedSample } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { MAX_METRIC_NAMES } from "../src/telemetry/metric-names.js";
import { FIXED_METRICS } from "../src/telemetry/metrics.js";
import { ROLLUP_RETENTION_MS } from "../src/telemetry/retention.js";
import { migrate, schemaVersion } from "../src/sqlite-migrations.js";
import { TELEMETRY_SCHEMA, TelemetryStore } from "../src/telemetry/telemetry-store.js";
import { ADMIN, connectedDevice } from "./device-client.js";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** A sample whose sensors are named `${prefix}_0` and on. */
const named = (t: number, prefix: string, count: number): TimedSample => ({
  t,
  tempsC: Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}_${i}`, 40 + i / 10])),
});

/** The names of the sensors and rails in each minute's rollups. */
const boardNames = (series: TelemetrySeries) =>
  (series.rollups ?? []).map((point) => Object.keys(point.metrics).filter((metric) => !FIXED_METRICS.includes(metric)));

function inObject<T>(name: string, steps: (fresh: () => TelemetryStore, sql: SqlStorage) => T): Promise<T> {
  return runInDurableObject(env.DEVICE.get(env.DEVICE.idFromName(name)), (_instance, ctx) => {
    // A device object gets its tables when provisioned; this one never was.
    migrate(ctx.storage, [TELEMETRY_SCHEMA]);
    return steps(() => new TelemetryStore(ctx.storage), ctx.storage.sql);
  });
}

describe("a device's sensor and rail names", () => {
  it("are kept in rollups up to MAX_METRIC_NAMES, the real board's first; names past it stay in raw samples, and the PUBACK counts them", async () => {
    const client = await connectedDevice("names-rotating");
    const minute = Math.floor(Date.now() / MINUTE) * MINUTE - 5 * MINUTE;
    const board: TimedSample = { t: minute, tempsC: { cpu: 52.5, tj: 53 }, powerMW: { VDD_GPU_SOC: { now: 2412 }, VIN_SYS_5V0: { now: 4707 } } };
    client.publishJson("jetson/names-rotating/telemetry", { samples: [board] }, 61);
    expect(await client.next("puback")).toMatchObject({ messageId: 61, reasonCode: 0 });

    // Sample i names its sensors s{i}_0 to s{i}_49: 500 names within one minute.
    const rotating = Array.from({ length: 10 }, (_, i) => named(minute + 1_000 + i * 1_000, `s${i}`, 50));
    client.publishJson("jetson/names-rotating/telemetry", { samples: rotating }, 62);
    const puback = await client.next("puback");
    expect(puback).toMatchObject({ messageId: 62, reasonCode: 0 });
    const refused = 500 - (MAX_METRIC_NAMES - 4);
    expect(puback.properties?.reasonString).toBe(
      `${refused} sensor and rail names past the ${MAX_METRIC_NAMES} this device has rollups of (the first, temp.s1_10): their readings are kept in raw samples only`,
    );
    // The board's own names go on into their next minute.
    client.publishJson("jetson/names-rotating/telemetry", { samples: [{ ...board, t: minute + MINUTE }, named(minute + MINUTE + 1, "late", 3)] }, 63);
    expect((await client.next("puback")).properties?.reasonString).toMatch(/^3 sensor and rail names past/);

    const query = new URLSearchParams({ from: String(minute), to: String(minute + 2 * MINUTE - 1), resolution: "1m" });
    const response = await exports.default.fetch(`http://w/api/devices/names-rotating/telemetry?${query}`, { headers: ADMIN });
    const [first, second] = boardNames((await response.json()) as TelemetrySeries);
    expect(first).toHaveLength(MAX_METRIC_NAMES);
    expect(first).toEqual(expect.arrayContaining(["temp.cpu", "temp.tj", "power.VDD_GPU_SOC", "power.VIN_SYS_5V0", "temp.s1_9"]));
    expect(second?.sort()).toEqual(["power.VDD_GPU_SOC", "power.VIN_SYS_5V0", "temp.cpu", "temp.tj"]);

    const raw = new URLSearchParams({ from: String(minute + 2_000), to: String(minute + 2_000), resolution: "raw" });
    const rawSample = ((await (await exports.default.fetch(`http://w/api/devices/names-rotating/telemetry?${raw}`, { headers: ADMIN })).json()) as TelemetrySeries).samples?.[0];
    expect(Object.keys(rawSample?.tempsC ?? {})).toHaveLength(50);
  });

  it("stay out of a minute folded from its raw samples by an object rebuilt before its end", () =>
    inObject("names-rebuilt", (fresh) => {
      const now = Date.now();
      const minute = Math.floor(now / MINUTE) * MINUTE - 5 * MINUTE;
      fresh().ingest([named(minute, "a", 60), named(minute + 1_000, "b", 60)], now);
      const series = fresh().query({ from: minute, to: minute + MINUTE - 1, resolution: "1m", maxPoints: 10 });
      expect(boardNames(series)[0]).toHaveLength(MAX_METRIC_NAMES);
    }));

  it("leave once not seen for the rollup retention, making room for new ones", () =>
    inObject("names-expire", (fresh) => {
      const now = Date.now();
      const store = fresh();
      const old = now - ROLLUP_RETENTION_MS + MINUTE;
      const half = MAX_METRIC_NAMES / 2;
      expect(store.ingest([named(old, "a", half), named(old + 1_000, "b", half)], now).refused).toEqual([]);
      expect(store.ingest([named(now - MINUTE, "new", 1)], now).refused).toEqual([expect.stringMatching(/^1 sensor and rail names past/)]);
      const later = now + 2 * DAY;
      store.expire(later);
      expect(fresh().ingest([named(later - MINUTE, "new", 1)], later).refused).toEqual([]);
    }));

  it("are kept from the release before the names had a table: its rollups stay, and the names start anew", () =>
    runInDurableObject(env.DEVICE.get(env.DEVICE.idFromName("names-migration")), (_instance, ctx) => {
      const sql = ctx.storage.sql;
      const before = { ...TELEMETRY_SCHEMA, migrations: TELEMETRY_SCHEMA.migrations.slice(0, 2) };
      migrate(ctx.storage, [before]);
      const minute = Math.floor(Date.now() / MINUTE) - 10;
      sql.exec("INSERT INTO rollups (minute, metric, min, max, sum, count) VALUES (?, 'temp.cpu', 50, 50, 50, 1)", minute);

      migrate(ctx.storage, [TELEMETRY_SCHEMA]);
      expect(schemaVersion(sql, TELEMETRY_SCHEMA.name)).toBe(TELEMETRY_SCHEMA.migrations.length);
      expect(sql.exec("SELECT count(*) AS n FROM metric_names").one().n).toBe(0);
      const store = new TelemetryStore(ctx.storage);
      expect(store.ingest([{ t: (minute + 1) * MINUTE, tempsC: { cpu: 60 } }], Date.now()).refused).toEqual([]);
      const series = store.query({ from: minute * MINUTE, to: (minute + 2) * MINUTE - 1, resolution: "1m", maxPoints: 10, metrics: ["temp.cpu"] });
      expect(series.rollups?.map((point) => point.metrics["temp.cpu"]?.max)).toEqual([50, 60]);
      expect(sql.exec<{ metric: string }>("SELECT metric FROM metric_names").toArray()).toEqual([{ metric: "temp.cpu" }]);
    }));

  it("are kept for a minute the release before left open in its raw samples, folded before the device sends again", () =>
    runInDurableObject(env.DEVICE.get(env.DEVICE.idFromName("names-open-minute")), (_instance, ctx) => {
      const sql = ctx.storage.sql;
      migrate(ctx.storage, [{ ...TELEMETRY_SCHEMA, migrations: TELEMETRY_SCHEMA.migrations.slice(0, 2) }]);
      const minute = Math.floor(Date.now() / MINUTE) - 3;
      for (let i = 0; i < 5; i++) {
        sql.exec("INSERT INTO samples (t, sample) VALUES (?, ?)", minute * MINUTE + i * 1_000, JSON.stringify({ tempsC: { cpu: 50 + i, gpu: 45 }, powerMW: { VDD_IN: { now: 5_000 } } }));
      }
      sql.exec("INSERT INTO open_minute (minute) VALUES (?)", minute);
      migrate(ctx.storage, [TELEMETRY_SCHEMA]);
      const series = new TelemetryStore(ctx.storage).query({ from: minute * MINUTE, to: (minute + 1) * MINUTE - 1, resolution: "1m", maxPoints: 10 });
      expect(boardNames(series)[0]?.sort()).toEqual(["power.VDD_IN", "temp.cpu", "temp.gpu"]);
      expect(series.rollups?.[0]?.metrics["temp.cpu"]?.max).toBe(54);
    }));
});
