import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { AlertThresholdsSchema, type DeviceAlerts, type DeviceSummary, type TelemetrySeries, type TimedSample } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { Fleet } from "../src/fleet.js";
import { handleMcpRequest } from "../src/mcp/server.js";
import { MAX_RAW_ROWS } from "../src/telemetry/retention.js";
import { migrate } from "../src/sqlite-migrations.js";
import { TELEMETRY_SCHEMA, TelemetryStore } from "../src/telemetry/telemetry-store.js";
import { ADMIN, DeviceClient, provision } from "./device-client.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** How long an alert waits, by default, for its reading to stay past the clear level. */
const CLEAR_AFTER_MS = AlertThresholdsSchema.parse({}).clearAfterSeconds * 1000;

/** A small sample: the hottest sensor at `tempC`, one busy core, a tenth of the disk used. */
function sample(t: number, tempC: number, extra: Partial<TimedSample> = {}): TimedSample {
  return {
    t,
    tempsC: { cpu: tempC },
    cpus: [{ loadPct: 10, freqMHz: 1500 }],
    ram: { usedMB: 1000, totalMB: 4000 },
    totalPowerMW: 5000,
    disk: { usedMB: 10, totalMB: 100 },
    ...extra,
  };
}

const stub = (device: string) => env.DEVICE.get(env.DEVICE.idFromName(`local/${device}`));

async function online(device: string, token?: string): Promise<{ client: DeviceClient; token: string }> {
  const secret = token ?? (await provision(device));
  const client = await DeviceClient.open(`/tunnel/local/${device}`);
  expect(await client.connect(device, secret)).toMatchObject({ reasonCode: 0 });
  await client.subscribeCommands(device);
  return { client, token: secret };
}

let nextMessageId = 100;
/** Publishes one batch and waits for its PUBACK, so batches land in the order sent. */
async function publish(client: DeviceClient, device: string, samples: TimedSample[]): Promise<void> {
  const messageId = nextMessageId++;
  client.publishJson(`jetson/${device}/telemetry`, { samples }, messageId);
  expect(await client.next("puback")).toMatchObject({ messageId, reasonCode: 0 });
}

async function get<T>(path: string): Promise<T> {
  const response = await exports.default.fetch(`http://w${path}`, { headers: ADMIN });
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

const telemetry = (device: string, query: Record<string, string | number>) =>
  get<TelemetrySeries>(`/api/devices/${device}/telemetry?${new URLSearchParams(Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])))}`);
const alerts = (device: string) => get<DeviceAlerts>(`/api/devices/${device}/alerts`);
const registryEntry = async (device: string) =>
  (await get<{ devices: DeviceSummary[] }>("/api/devices")).devices.find((d) => d.id === device);

/** Moves the time a duty of the device's alarm falls due back by `ms`, as if the clock had advanced. */
function advanceDuty(device: string, duty: string, ms: number) {
  return runInDurableObject(stub(device), (_instance, ctx) => {
    ctx.storage.sql.exec("UPDATE alarm_duties SET due = due - ? WHERE name = ?", ms, duty);
  });
}

describe("telemetry storage", () => {
  it("stores samples and answers raw and 1-minute queries", async () => {
    const { client } = await online("tel-basic");
    const start = Math.floor(Date.now() / MINUTE) * MINUTE - 5 * MINUTE;
    await publish(client, "tel-basic", [sample(start + 1_000, 50), sample(start + 2_000, 52), sample(start + 3_000, 54)]);

    const raw = await telemetry("tel-basic", { from: start, to: start + MINUTE - 1, resolution: "raw" });
    expect(raw.resolution).toBe("raw");
    expect(raw.samples?.map((s) => [s.t, s.tempsC?.cpu])).toEqual([
      [start + 1_000, 50],
      [start + 2_000, 52],
      [start + 3_000, 54],
    ]);

    const rollup = await telemetry("tel-basic", { from: start, to: start + MINUTE - 1, resolution: "1m" });
    expect(rollup.stepMs).toBe(MINUTE);
    expect(rollup.rollups).toEqual([
      {
        t: start,
        metrics: expect.objectContaining({
          "temp.max": { min: 50, mean: 52, max: 54, count: 3 },
          "cpu.load": { min: 10, mean: 10, max: 10, count: 3 },
          "disk.usedPct": { min: 10, mean: 10, max: 10, count: 3 },
        }),
      },
    ]);
  });

  it("keeps each engine's state and clock through validation and storage", async () => {
    const { client } = await online("tel-engines");
    const t = Math.floor(Date.now() / MINUTE) * MINUTE - 2 * MINUTE;
    const engines = { NVENC: { online: true, loadPct: 79, freqMHz: 166 }, NVDLA0: { online: false }, APE: { online: true, freqMHz: 174 } };
    await publish(client, "tel-engines", [sample(t, 50, { engines })]);
    const raw = await telemetry("tel-engines", { from: t, to: t + MINUTE - 1, resolution: "raw" });
    expect(raw.samples?.map((s) => s.engines)).toEqual([engines]);
  });

  it("puts late and out-of-order samples into their minute with the right min, mean and max, and counts a resent batch once", async () => {
    const { client } = await online("tel-late");
    const now = Date.now();
    const minute = Math.floor(now / MINUTE) * MINUTE - 10 * MINUTE;
    const dayOld = Math.floor((now - 23 * HOUR) / MINUTE) * MINUTE;
    const first = [sample(minute + 10_000, 50), sample(minute + 70_000, 60)];
    await publish(client, "tel-late", first);
    await publish(client, "tel-late", [sample(now - 1_000, 55)]);
    // The offline buffer arrives later: older than what is stored, and out of order.
    await publish(client, "tel-late", [sample(minute + 40_000, 70), sample(minute + 20_000, 40), sample(dayOld + 5_000, 45)]);
    // QoS 1 redelivery of the first batch.
    await publish(client, "tel-late", first);

    const series = await telemetry("tel-late", { from: minute, to: minute + 2 * MINUTE - 1, resolution: "1m", metrics: "temp.max" });
    expect(series.rollups).toEqual([
      { t: minute, metrics: { "temp.max": { min: 40, mean: 53.333, max: 70, count: 3 } } },
      { t: minute + MINUTE, metrics: { "temp.max": { min: 60, mean: 60, max: 60, count: 1 } } },
    ]);
    const raw = await telemetry("tel-late", { from: minute, to: minute + MINUTE - 1, resolution: "raw" });
    expect(raw.samples?.map((s) => s.tempsC?.cpu)).toEqual([50, 40, 70]);

    const old = await telemetry("tel-late", { from: dayOld, to: dayOld + MINUTE - 1, resolution: "1m", metrics: "temp" });
    expect(old.rollups).toEqual([{ t: dayOld, metrics: { "temp.max": { min: 45, mean: 45, max: 45, count: 1 }, "temp.cpu": { min: 45, mean: 45, max: 45, count: 1 } } }]);
  });

  it("keeps to maxPoints: raw samples thinned to one per step, minutes merged into wider buckets", async () => {
    const { client } = await online("tel-points");
    const start = Math.floor(Date.now() / MINUTE) * MINUTE - 20 * MINUTE;
    // One sample every 30 s for 10 minutes, temperature rising by 1 °C each.
    await publish(client, "tel-points", Array.from({ length: 20 }, (_, i) => sample(start + i * 30_000, 40 + i)));

    const raw = await telemetry("tel-points", { from: start, to: start + 10 * MINUTE - 1, resolution: "raw", maxPoints: 5 });
    expect(raw.stepMs).toBe(2 * MINUTE);
    expect(raw.samples?.map((s) => s.tempsC?.cpu)).toEqual([40, 44, 48, 52, 56]);

    const merged = await telemetry("tel-points", { from: start, to: start + 10 * MINUTE - 1, resolution: "1m", maxPoints: 2, metrics: "temp.max" });
    expect(merged.stepMs).toBe(5 * MINUTE);
    expect(merged.rollups).toEqual([
      { t: start, metrics: { "temp.max": { min: 40, mean: 44.5, max: 49, count: 10 } } },
      { t: start + 5 * MINUTE, metrics: { "temp.max": { min: 50, mean: 54.5, max: 59, count: 10 } } },
    ]);
  });

  it("answers auto with raw samples for short recent ranges and rollups for long ones, and refuses a bad range", async () => {
    const { client } = await online("tel-auto");
    await publish(client, "tel-auto", [sample(Date.now() - 1_000, 50)]);
    expect((await telemetry("tel-auto", { from: "-1h" })).resolution).toBe("raw");
    expect((await telemetry("tel-auto", { from: "-30d" })).resolution).toBe("1m");
    const bad = await exports.default.fetch("http://w/api/devices/tel-auto/telemetry?from=yesterday", { headers: ADMIN });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/Cannot read "from"/);
    expect((await exports.default.fetch("http://w/api/devices/nobody/telemetry", { headers: ADMIN })).status).toBe(404);
  });
});

describe("retention", () => {
  it("drops raw samples after 24 h and rollups after 30 days when the alarm runs", async () => {
    const { client } = await online("tel-retention");
    const now = Date.now();
    await publish(client, "tel-retention", [sample(now - 1_000, 50)]);
    const minuteOf = (t: number) => Math.floor(t / MINUTE);
    await runInDurableObject(stub("tel-retention"), (_instance, ctx) => {
      const sql = ctx.storage.sql;
      for (const age of [25 * HOUR, 20 * HOUR]) sql.exec("INSERT INTO samples (t, sample) VALUES (?, '{}')", now - age);
      for (const age of [31 * DAY, 29 * DAY]) {
        sql.exec("INSERT INTO rollups (minute, metric, min, max, sum, count) VALUES (?, 'temp.max', 1, 1, 1, 1)", minuteOf(now - age));
      }
    });
    await advanceDuty("tel-retention", "retention", 2 * HOUR);

    expect(await runDurableObjectAlarm(stub("tel-retention"))).toBe(true);

    const left = await runInDurableObject(stub("tel-retention"), async (_instance, ctx) => ({
      samples: ctx.storage.sql.exec<{ t: number }>("SELECT t FROM samples ORDER BY t").toArray().map((r) => r.t),
      oldestMinute: ctx.storage.sql.exec<{ m: number }>("SELECT min(minute) AS m FROM rollups").one().m,
      retentionDue: ctx.storage.sql.exec<{ due: number }>("SELECT due FROM alarm_duties WHERE name = 'retention'").one().due,
      alarm: await ctx.storage.getAlarm(),
    }));
    expect(left.samples).toEqual([now - 20 * HOUR, now - 1_000]);
    expect(left.oldestMinute).toBe(minuteOf(now - 29 * DAY));
    // Next trim: when the oldest raw sample left turns 24 h old.
    expect(left.retentionDue).toBe(now - 20 * HOUR + DAY);
    expect(left.alarm).not.toBeNull();
  });

  it("caps raw samples by count, whatever rate a bridge sends at", async () => {
    const { client } = await online("tel-cap");
    const now = Date.now();
    await publish(client, "tel-cap", [sample(now - 1_000, 50)]);
    await runInDurableObject(stub("tel-cap"), (_instance, ctx) => {
      ctx.storage.sql.exec(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) INSERT INTO samples (t, sample) SELECT ? - i * 100, '{}' FROM n",
        MAX_RAW_ROWS + 500,
        now - 1_000,
      );
    });
    await advanceDuty("tel-cap", "retention", 2 * HOUR);
    await runDurableObjectAlarm(stub("tel-cap"));
    const count = await runInDurableObject(stub("tel-cap"), (_instance, ctx) => ctx.storage.sql.exec("SELECT count(*) AS n FROM samples").one().n);
    expect(count).toBe(MAX_RAW_ROWS);
  });

  it("keeps a device's storage bounded: 24 h of raw samples at 1 Hz and 30 days of rollups stay under 128 MiB", async () => {
    // An AGX Orin sample with every field (12 cores, 5 sensors, 3 rails): the largest the bridge sends.
    const orin = (t: number, i: number): TimedSample => ({
      t,
      ram: { usedMB: 18_207 + (i % 97), totalMB: 62_841 },
      swap: { usedMB: 86, totalMB: 31_420 },
      cpus: Array.from({ length: 12 }, (_, c) => ({ loadPct: (i + c) % 100, freqMHz: 2_188 - (c % 3) * 100 })),
      gpu: { loadPct: i % 100, freqMHz: 1_300 },
      emc: { loadPct: 3, freqMHz: 2_133 },
      tempsC: { cpu: 52.562 + (i % 50) / 16, soc2: 48.437, soc0: 49.093, tj: 52.562 + (i % 50) / 16, soc1: 49.656 },
      powerMW: { VDD_GPU_SOC: { now: 2_412 + (i % 300), avg: 2_412 }, VDD_CPU_CV: { now: 1_607, avg: 1_607 }, VIN_SYS_5V0: { now: 4_707, avg: 4_707 } },
      totalPowerMW: 8_726 + (i % 300),
      fan: { pwmPct: 35 },
      disk: { usedMB: 21_000, totalMB: 57_000 },
    });
    /** Bytes one fresh object grows by when fed `count` samples `stepMs` apart. */
    async function growth(name: string, count: number, stepMs: number): Promise<number> {
      return runInDurableObject(env.DEVICE.get(env.DEVICE.idFromName(name)), (_instance, ctx) => {
        const store = new TelemetryStore(ctx.storage);
        // A device object gets its tables when provisioned; this one never was.
        migrate(ctx.storage, [TELEMETRY_SCHEMA]);
        const before = ctx.storage.sql.databaseSize;
        const end = Date.now();
        for (let i = 0; i < count; i += 600) {
          const batch = Array.from({ length: Math.min(600, count - i) }, (_, j) => orin(end - (count - i - j) * stepMs, i + j));
          store.ingest(batch, end);
        }
        return ctx.storage.sql.databaseSize - before;
      });
    }
    const SAMPLES = 7_200;
    const rawAndHours = await growth("storage-1hz", SAMPLES, 1_000); // 7,200 raw rows, 120 minutes of rollups
    const rawAndDays = await growth("storage-1pm", SAMPLES, MINUTE); // 7,200 raw rows, 7,200 minutes of rollups
    const perMinuteOfRollups = (rawAndDays - rawAndHours) / (SAMPLES - 120);
    const perRawSample = (rawAndHours - 120 * perMinuteOfRollups) / SAMPLES;
    // Steady state: raw rows for up to 25 h (trimmed hourly) and 30 days of minutes.
    const steadyState = 25 * 3_600 * perRawSample + 30 * 1_440 * perMinuteOfRollups;
    expect(perRawSample).toBeGreaterThan(0);
    expect(perMinuteOfRollups).toBeGreaterThan(0);
    // Measured: about 820 B per raw sample and 900 B per minute of rollups (21 metrics), so about 108 MiB.
    expect(steadyState).toBeLessThan(128 * 1024 * 1024);
  });
});

describe("alerts", () => {
  it("raise and clear with hysteresis and a hold, without flapping between the two thresholds, and show in the summary", async () => {
    const { client } = await online("tel-alerts");
    const t = Date.now() - 10_000;
    await publish(client, "tel-alerts", [sample(t, 86)]);
    let view = await alerts("tel-alerts");
    expect(view.active).toEqual([expect.objectContaining({ kind: "temperature", since: t, value: 86 })]);
    expect(view.thresholds.temperatureC).toEqual({ raise: 85, clear: 80 });
    const summary = await get<DeviceSummary>("/api/devices/tel-alerts");
    expect(summary.alerts?.map((a) => a.kind)).toEqual(["temperature"]);
    expect(summary.latest).toMatchObject({ t, hottestC: 86, cpuLoadPct: 10, ramUsedPct: 25, powerMW: 5000, diskUsedPct: 10 });

    await publish(client, "tel-alerts", [sample(t + 1_000, 82), sample(t + 2_000, 84.9), sample(t + 3_000, 80)]);
    view = await alerts("tel-alerts");
    expect(view.active.map((a) => a.since)).toEqual([t]);
    expect(view.recent).toEqual([]);

    // Below the clear level, then back inside the band before the hold is over: still raised.
    await publish(client, "tel-alerts", [sample(t + 4_000, 79.5), sample(t + 5_000, 84)]);
    expect((await alerts("tel-alerts")).active.map((a) => a.since)).toEqual([t]);

    await publish(client, "tel-alerts", [sample(t + 6_000, 79), sample(t + 6_000 + CLEAR_AFTER_MS, 79.5)]);
    view = await alerts("tel-alerts");
    expect(view.active).toEqual([]);
    expect(view.recent).toEqual([expect.objectContaining({ kind: "temperature", since: t, clearedAt: t + 6_000 + CLEAR_AFTER_MS })]);
    expect((await get<DeviceSummary>("/api/devices/tel-alerts")).alerts).toEqual([]);
  });

  it("raise throttling when hot, busy and clocked down", async () => {
    const { client } = await online("tel-throttle");
    const t = Date.now() - 10_000;
    const busy = (at: number, tempC: number, freqMHz: number) => sample(at, tempC, { cpus: [{ loadPct: 95, freqMHz }] });
    await publish(client, "tel-throttle", [busy(t, 60, 2_200), busy(t + 1_000, 90, 1_300)]);
    expect((await alerts("tel-throttle")).active.map((a) => a.kind).sort()).toEqual(["temperature", "throttling"]);
  });

  it("raises the offline alert from the alarm and clears it when the device is back", async () => {
    const { client, token } = await online("tel-offline");
    client.send({ type: "disconnect" });
    await client.whenClosed();
    await expect.poll(async () => (await get<DeviceSummary>("/api/devices/tel-offline")).online).toBe(false);
    await runInDurableObject(stub("tel-offline"), (_instance, ctx) => {
      const presence = JSON.parse(String(ctx.storage.sql.exec("SELECT value FROM meta WHERE key = 'presence'").one().value));
      presence.lastSeen -= 11 * MINUTE;
      ctx.storage.sql.exec("UPDATE meta SET value = ? WHERE key = 'presence'", JSON.stringify(presence));
    });
    await advanceDuty("tel-offline", "offline", 11 * MINUTE);
    await runDurableObjectAlarm(stub("tel-offline"));

    expect((await alerts("tel-offline")).active).toEqual([expect.objectContaining({ kind: "offline", value: 11, message: expect.stringMatching(/^Offline since/) })]);
    expect((await registryEntry("tel-offline"))?.alerts?.map((a) => a.kind)).toEqual(["offline"]);

    await online("tel-offline", token);
    const view = await alerts("tel-offline");
    expect(view.active).toEqual([]);
    expect(view.recent.map((a) => a.kind)).toEqual(["offline"]);
  });

  it("takes per-device thresholds over REST, refusing a band that could flap", async () => {
    const { client } = await online("tel-thresholds");
    const put = (body: unknown) =>
      exports.default.fetch("http://w/api/devices/tel-thresholds/alerts/thresholds", {
        method: "PUT",
        headers: { ...ADMIN, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await put({ temperatureC: { raise: 60, clear: 65 } })).status).toBe(400);
    const response = await put({ temperatureC: { raise: 60, clear: 55 }, powerMW: { raise: 4_000, clear: 3_500 } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ temperatureC: { raise: 60, clear: 55 }, diskPct: { raise: 90, clear: 85 }, offlineMinutes: 10 });

    await publish(client, "tel-thresholds", [sample(Date.now() - 1_000, 62)]);
    const view = await alerts("tel-thresholds");
    expect(view.thresholds.powerMW).toEqual({ raise: 4_000, clear: 3_500 });
    expect(view.active.map((a) => a.kind).sort()).toEqual(["power", "temperature"]);
    expect(view.active.find((a) => a.kind === "power")?.message).toBe("Drew 5 W (limit 4 W, clears after 60 s below 3.5 W).");
  });
});

describe("MCP", () => {
  const fleet = () => new Fleet(env, { fleet: "local", kind: "token", id: "test", scopes: ["read", "operate", "admin"] });

  async function rpc<T>(method: string, params: Record<string, unknown>): Promise<T> {
    const message = { jsonrpc: "2.0", id: 1, method, params };
    const request = new Request("http://w/mcp", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18" },
      body: JSON.stringify(message),
    });
    const text = await (await handleMcpRequest(request, message, fleet())).text();
    const data = text.startsWith("{") ? text : (text.split("\n").find((l) => l.startsWith("data: "))?.slice(6) ?? "{}");
    const body = JSON.parse(data) as { result?: T; error?: { message: string } };
    if (!body.result) throw new Error(`${method}: ${body.error?.message ?? text}`);
    return body.result;
  }

  type ToolResult = { isError?: boolean; structuredContent?: TelemetrySeries & DeviceAlerts; content: Array<{ text: string }> };
  type ReadResult = { contents: Array<{ uri: string; text: string }> };

  it("answers telemetry_range and device_alerts from the stored history", async () => {
    const { client } = await online("tel-mcp");
    const t = Math.floor(Date.now() / MINUTE) * MINUTE - 3 * MINUTE;
    await publish(client, "tel-mcp", [sample(t + 1_000, 50), sample(t + 2_000, 70)]);

    const range = await rpc<ToolResult>("tools/call", {
      name: "telemetry_range",
      arguments: { device: "tel-mcp", from: "-10m", resolution: "1m", metrics: ["temp.max"] },
    });
    expect(range.isError).toBeUndefined();
    expect(range.structuredContent?.rollups).toEqual([{ t, metrics: { "temp.max": { min: 50, mean: 60, max: 70, count: 2 } } }]);

    const raw = await rpc<ToolResult>("tools/call", { name: "telemetry_range", arguments: { device: "tel-mcp", from: "-10m" } });
    expect(raw.structuredContent?.samples).toHaveLength(2);

    const bad = await rpc<ToolResult>("tools/call", { name: "telemetry_range", arguments: { device: "tel-mcp", from: "soon" } });
    expect(bad.isError).toBe(true);
    const missing = await rpc<ToolResult>("tools/call", { name: "device_alerts", arguments: { device: "nobody" } });
    expect(missing.isError).toBe(true);

    const view = await rpc<ToolResult>("tools/call", { name: "device_alerts", arguments: { device: "tel-mcp" } });
    expect(view.structuredContent).toMatchObject({ active: [], recent: [], thresholds: { offlineMinutes: 10 } });
  });

  it("serves the device list, each device's state and its recent telemetry as resources", async () => {
    const { client } = await online("tel-res");
    await publish(client, "tel-res", [sample(Date.now() - 1_000, 88)]);

    const templates = await rpc<{ resourceTemplates: Array<{ uriTemplate: string }> }>("resources/templates/list", {});
    expect(templates.resourceTemplates.map((r) => r.uriTemplate)).toEqual(
      expect.arrayContaining(["jetson://devices/{device}", "jetson://devices/{device}/telemetry"]),
    );
    const listed = await rpc<{ resources: Array<{ uri: string }> }>("resources/list", {});
    expect(listed.resources.map((r) => r.uri)).toEqual(expect.arrayContaining(["jetson://devices", "jetson://devices/tel-res"]));

    const devices = await rpc<ReadResult>("resources/read", { uri: "jetson://devices" });
    expect(JSON.parse(devices.contents[0]?.text ?? "{}").devices.map((d: DeviceSummary) => d.id)).toContain("tel-res");

    const state = await rpc<ReadResult>("resources/read", { uri: "jetson://devices/tel-res" });
    expect(JSON.parse(state.contents[0]?.text ?? "{}")).toMatchObject({ id: "tel-res", alerts: [{ kind: "temperature" }], latest: { hottestC: 88 } });

    const recent = await rpc<ReadResult>("resources/read", { uri: "jetson://devices/tel-res/telemetry" });
    const series = JSON.parse(recent.contents[0]?.text ?? "{}") as TelemetrySeries;
    expect(series.resolution).toBe("1m");
    expect(series.rollups?.at(-1)?.metrics["temp.max"]?.max).toBe(88);

    await expect(rpc("resources/read", { uri: "jetson://devices/nobody" })).rejects.toThrow(/No such device/);
  });

  it("offers prompts for throttling and fleet health, with the data attached", async () => {
    await online("tel-prompt");
    const prompts = await rpc<{ prompts: Array<{ name: string }> }>("prompts/list", {});
    expect(prompts.prompts.map((p) => p.name)).toEqual(expect.arrayContaining(["diagnose_throttling", "fleet_health_report"]));

    type Prompt = { messages: Array<{ content: { type: string; text?: string; resource?: { uri: string; text?: string } } }> };
    const diagnose = await rpc<Prompt>("prompts/get", { name: "diagnose_throttling", arguments: { device: "tel-prompt" } });
    expect(diagnose.messages[0]?.content.text).toMatch(/tel-prompt/);
    expect(diagnose.messages.slice(1).map((m) => m.content.resource?.uri)).toEqual(["jetson://devices/tel-prompt", "jetson://devices/tel-prompt/telemetry"]);

    const report = await rpc<Prompt>("prompts/get", { name: "fleet_health_report", arguments: {} });
    expect(report.messages.at(-1)?.content.resource?.uri).toBe("jetson://devices");
    const attached = JSON.parse(report.messages.at(-1)?.content.resource?.text ?? "{}") as { counts: Record<string, number>; omitted: Record<string, number>; devices: Array<{ id: string }> };
    expect(attached.devices.map((d) => d.id)).toContain("tel-prompt");
    expect(Object.values(attached.counts).reduce((a, b) => a + b)).toBe(attached.devices.length);
    expect(attached.omitted).toEqual({ alerting: 0, offline: 0, online: 0 });
  });
});
