import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { type DeviceAlerts, MAX_RECENT_ALERTS, type TelemetrySeries, type TimedSample } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { MAX_RAW_ROWS, ROLLUP_RETENTION_MS } from "../src/telemetry/retention.js";
import { ADMIN, connectedDevice, type DeviceClient } from "./device-client.js";
import { mcpRequest } from "./mcp-request.js";

const MINUTE = 60_000;

const stub = (device: string) => env.DEVICE.get(env.DEVICE.idFromName(`local/${device}`));

const sample = (t: number, extra: Partial<TimedSample> = {}): TimedSample => ({ t, tempsC: { cpu: 50 }, ram: { usedMB: 1000, totalMB: 4000 }, ...extra });

let nextMessageId = 900;
/** Publishes one payload and answers its PUBACK. */
async function published(client: DeviceClient, device: string, payload: Uint8Array | { samples: TimedSample[] }) {
  const messageId = nextMessageId++;
  if (payload instanceof Uint8Array) client.publishBytes(`jetson/${device}/telemetry`, payload, messageId);
  else client.publishJson(`jetson/${device}/telemetry`, payload, messageId);
  const puback = await client.next("puback");
  expect(puback.messageId).toBe(messageId);
  return { reasonCode: puback.reasonCode, reasonString: puback.properties?.reasonString };
}

async function get<T>(path: string): Promise<T> {
  const response = await exports.default.fetch(`http://w${path}`, { headers: ADMIN });
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

async function storedTimes(device: string, from: number, to: number): Promise<number[]> {
  const query = new URLSearchParams({ from: String(from), to: String(to), resolution: "raw", maxPoints: "5000" });
  return (await get<TelemetrySeries>(`/api/devices/${device}/telemetry?${query}`)).samples?.map((s) => s.t) ?? [];
}

async function deflated(json: unknown): Promise<Uint8Array> {
  const stream = new Blob([JSON.stringify(json)]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return new Uint8Array([2, ...new Uint8Array(await new Response(stream).arrayBuffer())]);
}

describe("a hostile version 2 telemetry packet", () => {
  it("is refused with a reason before its samples are built, and the device's next batch is stored", async () => {
    const client = await connectedDevice("wire-hostile");
    // 74 bytes that made the object build over 1 GB: a path of 1,000 keys for each of 10,000 rows.
    const deep = await deflated({ k: [Array.from({ length: 1_000 }, () => 0)], c: [Array.from({ length: 10_000 }, () => 1)], d: [] });
    expect(await published(client, "wire-hostile", deep)).toEqual({
      reasonCode: 0x99,
      reasonString: "not a version 2 telemetry batch: a path of more than 3 keys, deeper than any field of a sample (at k.0)",
    });
    // One column 2,000,000 rows tall.
    const tall = await deflated({ k: [[-1]], c: [Array.from({ length: 2_000_000 }, () => 0)], d: [0] });
    expect(await published(client, "wire-hostile", tall)).toEqual({ reasonCode: 0x99, reasonString: "a version 2 batch of 2000000 samples, more than 10000" });

    const t = Date.now() - MINUTE;
    expect(await published(client, "wire-hostile", { samples: [sample(t)] })).toEqual({ reasonCode: 0, reasonString: undefined });
    expect(await storedTimes("wire-hostile", t - 1, t + 1)).toEqual([t]);
  });
});

describe("raw samples", () => {
  it("keep to MAX_RAW_ROWS as each batch is stored, the oldest going first, before any alarm", async () => {
    const client = await connectedDevice("raw-cap-ingest");
    const now = Date.now();
    // A day at 2 Hz already stored, 100 ms apart ending 10 s ago.
    await runInDurableObject(stub("raw-cap-ingest"), (_instance, ctx) => {
      ctx.storage.sql.exec(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) INSERT INTO samples (t, sample) SELECT ? - i * 100, '{}' FROM n",
        MAX_RAW_ROWS,
        now - 10_000,
      );
    });
    const batch = Array.from({ length: 10_000 }, (_, i) => ({ t: now - 9_000 + i }));
    expect(await published(client, "raw-cap-ingest", { samples: batch })).toEqual({ reasonCode: 0, reasonString: undefined });
    const left = await runInDurableObject(stub("raw-cap-ingest"), (_instance, ctx) =>
      ctx.storage.sql.exec<{ n: number; oldest: number; newest: number }>("SELECT count(*) AS n, min(t) AS oldest, max(t) AS newest FROM samples").one(),
    );
    expect(left).toEqual({ n: MAX_RAW_ROWS, oldest: now - 10_000 - (MAX_RAW_ROWS - batch.length) * 100, newest: now + 999 });
  });
});

describe("samples outside the accepted time window", () => {
  it("are counted in the PUBACK, which asks to check the device clock; a batch of nothing else is refused", async () => {
    const client = await connectedDevice("clock-skew");
    const now = Date.now();
    const inWindow = sample(now - MINUTE);
    const ahead = sample(now + 10 * MINUTE);
    const tooOld = sample(now - ROLLUP_RETENTION_MS - MINUTE);
    expect(await published(client, "clock-skew", { samples: [inWindow, ahead, tooOld] })).toEqual({
      reasonCode: 0,
      reasonString: "2 of 3 samples outside the accepted time window: check the device clock",
    });
    expect(await published(client, "clock-skew", { samples: [sample(now + 20 * MINUTE)] })).toEqual({
      reasonCode: 0x99,
      reasonString: "1 of 1 samples outside the accepted time window: check the device clock",
    });
    // Beside a sample the check refused, each says what it left out.
    const answer = await published(client, "clock-skew", { samples: [sample(now - 2 * MINUTE), ahead, { t: now - 3 * MINUTE, tempsC: { cpu: 2_000 } }] });
    expect(answer.reasonCode).toBe(0);
    expect(answer.reasonString).toMatch(/^refused 1 of 3 samples; the first, samples\[2\] .*; 1 of 2 samples outside the accepted time window: check the device clock$/);
    expect(await storedTimes("clock-skew", now - ROLLUP_RETENTION_MS - 2 * MINUTE, now + 30 * MINUTE)).toEqual([now - 2 * MINUTE, now - MINUTE]);
  });
});

describe("alerts", () => {
  it("keep one alert open while a reading swings across its whole band, sample after sample", async () => {
    const client = await connectedDevice("alert-swing");
    const put = await exports.default.fetch("http://w/api/devices/alert-swing/alerts/thresholds", {
      method: "PUT",
      headers: { ...ADMIN, "Content-Type": "application/json" },
      body: JSON.stringify({ powerMW: { raise: 10_000, clear: 9_000 } }),
    });
    expect(put.status).toBe(200);
    const start = Date.now() - 2 * 3_600_000;
    // 4,000 samples a second apart, 12 W and 6 W in turn.
    const swinging = Array.from({ length: 4_000 }, (_, i) => sample(start + i * 1_000, { totalPowerMW: i % 2 === 0 ? 12_000 : 6_000 }));
    expect(await published(client, "alert-swing", { samples: swinging })).toMatchObject({ reasonCode: 0 });
    const view = await get<DeviceAlerts>("/api/devices/alert-swing/alerts");
    expect(view.active).toEqual([expect.objectContaining({ kind: "power", since: start })]);
    expect(view.recent).toEqual([]);
  });

  it("list the newest cleared ones only, saying how many more there were", async () => {
    const client = await connectedDevice("alert-many");
    expect(await published(client, "alert-many", { samples: [sample(Date.now() - MINUTE)] })).toMatchObject({ reasonCode: 0 });
    const now = Date.now();
    const cleared = MAX_RECENT_ALERTS + 50;
    await runInDurableObject(stub("alert-many"), (_instance, ctx) => {
      for (let i = 0; i < cleared; i++) {
        ctx.storage.sql.exec(
          "INSERT INTO alerts (kind, since, cleared_at, value, message) VALUES ('power', ?, ?, 12, 'Drawing 12 W')",
          now - 3_600_000 + i * 10_000,
          now - 3_600_000 + i * 10_000 + 5_000,
        );
      }
    });
    const view = await get<DeviceAlerts>("/api/devices/alert-many/alerts");
    expect(view.recent).toHaveLength(MAX_RECENT_ALERTS);
    expect(view.recent[0]?.clearedAt).toBe(now - 3_600_000 + (cleared - 1) * 10_000 + 5_000);
    expect(view.recentOmitted).toBe(50);

    const few = await connectedDevice("alert-few");
    expect(await published(few, "alert-few", { samples: [sample(Date.now() - MINUTE)] })).toMatchObject({ reasonCode: 0 });
    expect(await get<DeviceAlerts>("/api/devices/alert-few/alerts")).not.toHaveProperty("recentOmitted");
    const tool = await mcpRequest(ADMIN.Authorization?.slice("Bearer ".length), "tools/call", { name: "device_alerts", arguments: { device: "alert-many" } });
    expect(tool.body.result?.isError).toBeUndefined();
    expect(tool.body.result?.structuredContent).toMatchObject({ recent: view.recent, recentOmitted: 50 });
  });
});
