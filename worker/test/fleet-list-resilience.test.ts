import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { DevicePage, DeviceSummary, Drift, TelemetrySeries, TimedSample } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import type { LiveMessage } from "../src/dashboard/live-messages.js";
import { ADMIN, connectedDevice, createFleet } from "./device-client.js";
import { mcpRequest } from "./mcp-request.js";

const ORIGIN = new URL(env.PUBLIC_URL).origin;
const MINUTE = 60_000;

/** The `local` fleet administrator's token, once a device of it was provisioned (which signs in). */
const admin = () => ADMIN.Authorization?.slice("Bearer ".length) ?? "";

const get = (token: string, path: string) => exports.default.fetch(`${ORIGIN}${path}`, { headers: { Authorization: `Bearer ${token}` } });

async function listed(token: string, path = "/api/devices"): Promise<DeviceSummary[]> {
  const response = await get(token, path);
  expect(response.status, path).toBe(200);
  return ((await response.json()) as { devices: DeviceSummary[] }).devices;
}

async function listDevicesTool(token: string): Promise<DevicePage> {
  const result = (await mcpRequest(token, "tools/call", { name: "list_devices", arguments: {} }, { waitOnRateLimit: true })).body.result;
  expect(result?.isError, JSON.stringify(result?.content)).toBeUndefined();
  return result?.structuredContent as DevicePage;
}

async function metricsText(token: string): Promise<string> {
  const response = await get(token, "/metrics");
  expect(response.status).toBe(200);
  return new TextDecoder().decode(await response.arrayBuffer());
}

/** The first message of a dashboard's live channel, signed in with `token`: the snapshot of the page asked for. */
async function liveSnapshot(token: string): Promise<LiveMessage> {
  const signedIn = await exports.default.fetch(`${ORIGIN}/signin`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: ORIGIN, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token, next: "/" }),
  });
  const cookie = (signedIn.headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
  const response = await exports.default.fetch(`${ORIGIN}/dashboard/live`, { headers: { Upgrade: "websocket", Cookie: cookie, Origin: ORIGIN } });
  const ws = response.webSocket;
  if (!ws) throw new Error(`no WebSocket: ${response.status}`);
  const first = new Promise<LiveMessage>((resolve) => ws.addEventListener("message", (event) => resolve(JSON.parse(String(event.data)) as LiveMessage)));
  ws.accept();
  const message = await first;
  ws.close(1000, "done");
  return message;
}

describe("a sample past physical bounds", () => {
  it("is refused like any malformed sample, its valid neighbours kept, and the fleet's list, metrics and list_devices still answer", async () => {
    const device = "bounds-huge";
    const client = await connectedDevice(device);
    const minute = Math.floor(Date.now() / MINUTE) * MINUTE - 2 * MINUTE;
    const valid = (t: number, cpu: number): TimedSample => ({ t, tempsC: { cpu } });

    // The one sample of the red team's reproduction: finite, yet past what rounding it can keep finite.
    client.publishJson(`jetson/${device}/telemetry`, { samples: [{ t: minute, tempsC: { cpu: 1e308 } }] }, 61);
    const alone = await client.next("puback");
    expect(alone).toMatchObject({ messageId: 61, reasonCode: 0x99 });
    expect(alone.properties?.reasonString).toMatch(/^refused 1 of 1 samples; the first, samples\[0\] \(t \d+\): tempsC\.cpu: /);

    // ±1.7e308 in one minute overflowed its rollup's sum: refused, the valid sample beside them kept.
    const mixed = [valid(minute + 1_000, 50), { t: minute + 2_000, tempsC: { cpu: 1.7e308 } }, { t: minute + 3_000, tempsC: { cpu: -1.7e308 } }];
    client.publishJson(`jetson/${device}/telemetry`, { samples: mixed }, 62);
    const some = await client.next("puback");
    expect(some).toMatchObject({ messageId: 62, reasonCode: 0 });
    expect(some.properties?.reasonString).toMatch(/^refused 2 of 3 samples; the first, samples\[1\] /);

    const series = (await (await get(admin(), `/api/devices/${device}/telemetry?from=${minute}&to=${minute + MINUTE - 1}&resolution=1m`)).json()) as TelemetrySeries;
    expect(series.rollups).toEqual([{ t: minute, metrics: { "temp.max": { min: 50, mean: 50, max: 50, count: 1 }, "temp.cpu": { min: 50, mean: 50, max: 50, count: 1 } } }]);

    await expect.poll(async () => (await listed(admin())).find((d) => d.id === device)?.latest?.hottestC).toBe(50);
    expect(await metricsText(admin())).toMatch(new RegExp(`jetson_temperature_celsius\\{[^}]*device="${device}"[^}]*\\} 50\n`));
    expect((await listDevicesTool(admin())).devices.map((d) => d.id)).toContain(device);
  });
});

describe("a stored summary that does not parse", () => {
  it("leaves the device listed by id with the fields that parse, in every list, selection, scrape and snapshot, and the rest of the fleet whole", async () => {
    const fleet = "unreadable";
    const token = await createFleet(fleet);
    const registry = env.REGISTRY.get(env.REGISTRY.idFromName(fleet));
    const drift = [{ aspect: "powerMode", wanted: "mode 0", actual: "mode 2", reason: "changed on the device", since: 1 }] satisfies Drift[];
    await registry.upsert({ id: "cam-a", fleet, online: true, latest: { t: 1, hottestC: 48.5 }, tags: ["lab"] });
    // As before the fix: a finite reading rounded to Infinity, which JSON stores as null.
    await registry.upsert({ id: "cam-broken", fleet, online: true, lastSeen: 5, latest: { t: 2, hottestC: Number.POSITIVE_INFINITY }, tags: ["lab"], drift });
    await registry.upsert({ id: "cam-c", fleet, online: false, tags: ["lab"] });
    await runInDurableObject(registry, (_object, state) => {
      expect(state.storage.sql.exec<{ summary: string }>("SELECT summary FROM devices WHERE id = 'cam-broken'").one().summary).toContain('"hottestC":null');
      // Not even JSON: no fleet or presence to list it with.
      state.storage.sql.exec("INSERT INTO devices (id, summary) VALUES ('cam-garbage', '{\"id\": ')");
    });
    const ids = (devices: readonly { id: string }[]) => devices.map((d) => d.id);
    const broken = { id: "cam-broken", fleet, online: true, lastSeen: 5, tags: ["lab"], drift };

    const page = await listed(token);
    expect(ids(page)).toEqual(["cam-a", "cam-broken", "cam-c"]);
    expect(page.find((d) => d.id === "cam-broken")).toStrictEqual(broken);
    expect(page.find((d) => d.id === "cam-a")?.latest).toEqual({ t: 1, hottestC: 48.5 });
    expect(ids(await listed(token, "/api/devices?text=broken"))).toEqual(["cam-broken"]);
    // Pages of one: the cursor moves past a row left out rather than stopping at it.
    const walked: string[] = [];
    let cursor: string | undefined;
    do {
      const response = await get(token, `/api/devices?limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      const onePage = (await response.json()) as DevicePage;
      walked.push(...ids(onePage.devices));
      cursor = onePage.nextCursor;
    } while (cursor);
    expect(walked).toEqual(["cam-a", "cam-broken", "cam-c"]);

    expect(ids(await listed(token, "/api/select?selector=tag:lab"))).toEqual(["cam-a", "cam-broken", "cam-c"]);
    expect(await listed(token, "/api/drift")).toEqual([{ device: "cam-broken", drift }]);
    expect(await metricsText(token)).toMatch(/jetson_device_online\{[^}]*device="cam-broken"[^}]*\} 1/);
    const tool = await listDevicesTool(token);
    expect(ids(tool.devices)).toEqual(["cam-a", "cam-broken", "cam-c"]);
    const snapshot = await liveSnapshot(token);
    expect(snapshot.type === "snapshot" && ids(snapshot.devices)).toEqual(["cam-a", "cam-broken", "cam-c"]);
  });
});

describe("a minute whose rollup sum overflowed before samples were bounded", () => {
  it("answers without that metric's point rather than a null mean, over REST and telemetry_range", async () => {
    const device = "bounds-overflowed";
    const client = await connectedDevice(device);
    const minute = Math.floor(Date.now() / MINUTE) * MINUTE - 3 * MINUTE;
    client.publishJson(`jetson/${device}/telemetry`, { samples: [{ t: minute + 1_000, tempsC: { cpu: 50 } }] }, 71);
    expect(await client.next("puback")).toMatchObject({ messageId: 71, reasonCode: 0 });
    await runInDurableObject(env.DEVICE.get(env.DEVICE.idFromName(`local/${device}`)), (_object, state) => {
      // 9e999 is SQLite's Infinity: what two samples of 1.7e308 summed to.
      state.storage.sql.exec("INSERT INTO rollups (minute, metric, min, max, sum, count) VALUES (?, 'temp.gpu', 1.7e308, 1.7e308, 9e999, 2)", minute / MINUTE);
    });
    const response = await get(admin(), `/api/devices/${device}/telemetry?from=${minute}&to=${minute + MINUTE - 1}&resolution=1m`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toMatch(/null/);
    expect((JSON.parse(text) as TelemetrySeries).rollups?.[0]?.metrics).toEqual({
      "temp.max": { min: 50, mean: 50, max: 50, count: 1 },
      "temp.cpu": { min: 50, mean: 50, max: 50, count: 1 },
    });
    const tool = (await mcpRequest(admin(), "tools/call", { name: "telemetry_range", arguments: { device, from: String(minute), to: String(minute + MINUTE - 1), resolution: "1m" } })).body.result;
    expect(tool?.isError, JSON.stringify(tool?.content)).toBeUndefined();
  });
});
