import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { type AuditEntry, type DevicePort, encodePortFrame, decodePortFrame } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import type { InvokeRequest } from "../src/device/invoke.js";
import { ADMIN, connectedDevice, DeviceClient, json, provision } from "./device-client.js";

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await exports.default.fetch(`http://w${path}`, {
    method,
    headers: { ...ADMIN, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const WEEK_MS = 7 * 24 * 3_600_000;

const stub = (device: string) => env.DEVICE.get(env.DEVICE.idFromName(`local/${device}`));

/** The review's command, as the Worker hands it to the device's object. */
const QUEUED_REMOVAL: InvokeRequest = {
  action: "containers.remove",
  args: { container: "web" },
  timeoutMs: 10_000,
  requestedBy: "token:t",
  queue: { expiresInMs: WEEK_MS },
};

/** Queues a destructive command for an offline device, as the review's report did; answers its id. */
async function queueRemoval(device: string): Promise<string> {
  const queued = await api<{ queued: { commandId: string } }>("POST", `/api/devices/${device}/actions/containers.remove`, {
    args: { container: "web" },
    confirm: true,
    queue: { expiresInMs: WEEK_MS },
  });
  expect(queued.status).toBe(202);
  return queued.body.queued.commandId;
}

/** The board's next command, with a ping sent now: a board that gets nothing older gets the ping first. */
async function nextCommandAfterPing(board: DeviceClient, device: string): Promise<Record<string, unknown>> {
  const ping = api<{ ok: boolean }>("POST", `/api/devices/${device}/actions/system.ping`, { timeoutMs: 5_000 });
  const first = json(await board.next("publish"));
  if (first.action === "system.ping") {
    board.publishJson(`jetson/${device}/result`, { id: first.id, ok: true, data: { pong: true, at: 1, bridgeVersion: "t" }, startedAt: 1, endedAt: 2 });
    expect((await ping).body).toMatchObject({ ok: true });
  }
  return first;
}

/** A device (frames by hand) with a tunnel open to its port 8080; `url` as this test's Worker answers it. */
async function openTunnel(device: string): Promise<{ client: DeviceClient; tunnel: DevicePort; url: string }> {
  const client = await connectedDevice(device);
  await client.subscribeCommands(device);
  const opening = api<DevicePort & { url: string }>("POST", `/api/devices/${device}/ports`, { port: 8080 });
  const check = decodePortFrame((await client.next("publish")).payload).header;
  expect(check).toMatchObject({ type: "check", port: 8080 });
  client.publishBytes(`jetson/${device}/port-up`, encodePortFrame({ type: "checked", stream: check.stream, allowed: true }));
  const opened = await opening;
  expect(opened.status).toBe(201);
  const { url, ...tunnel } = opened.body;
  return { client, tunnel, url: url.replace(/^https?:\/\/[^/]+/, "http://w") };
}

describe("removing a device", () => {
  it("cancels its queued commands, and the board provisioned next under its id never receives them nor finds them in its ledger", async () => {
    await provision("rq-1");
    const commandId = await queueRemoval("rq-1");
    expect((await api("DELETE", "/api/devices/rq-1")).status).toBe(204);

    const board = await connectedDevice("rq-1");
    await board.subscribeCommands("rq-1");
    expect(await nextCommandAfterPing(board, "rq-1")).toMatchObject({ action: "system.ping" });
    expect((await api("GET", `/api/devices/rq-1/commands/${commandId}`)).status).toBe(404);
  });

  it("refuses a command that comes while it is being removed, as for a missing device", async () => {
    await provision("rw-1");
    const during = await runInDurableObject(stub("rw-1"), async (object) => {
      const removing = object.revoke("token:remover");
      const outcome = await object.invoke(QUEUED_REMOVAL);
      await removing;
      return outcome;
    });
    expect(during).toMatchObject({ ok: false, error: { code: "unknown_device" } });
    expect(during).not.toHaveProperty("queued");
  });

  it("refuses a command that comes with or after its removal, and the board provisioned next receives none", async () => {
    await provision("rw-2");
    const [queued, removed] = await Promise.all([
      api("POST", "/api/devices/rw-2/actions/containers.remove", { args: { container: "web" }, confirm: true, queue: { expiresInMs: WEEK_MS } }),
      api("DELETE", "/api/devices/rw-2"),
    ]);
    expect(removed.status).toBe(204);
    // Which of the two the device's object took first is up to the runtime: queued then cancelled, or refused.
    expect([202, 404]).toContain(queued.status);
    expect(await stub("rw-2").invoke(QUEUED_REMOVAL)).toMatchObject({ ok: false, error: { code: "unknown_device" } });

    const board = await connectedDevice("rw-2");
    await board.subscribeCommands("rw-2");
    expect(await nextCommandAfterPing(board, "rw-2")).toMatchObject({ action: "system.ping" });
  });

  it("leaves nothing of the old board to one provisioned again under its id: listed at once, and read like a device never seen", async () => {
    const now = Date.now();
    const old = await connectedDevice("rn-1");
    await old.subscribeCommands("rn-1");
    old.publishJson("jetson/rn-1/state", { hostname: "old-host", board: "NVIDIA Jetson Nano Developer Kit", jetpack: "4.6.6", bridgeVersion: "0.1.0", capabilities: [] }, 11);
    await old.next("puback");
    old.publishJson("jetson/rn-1/telemetry", { samples: [{ t: now - 60_000, tempsC: { cpu: 95 } }] }, 12);
    await old.next("puback");
    expect((await api("PUT", "/api/devices/rn-1/tags", { tags: ["rn-dock"] })).status).toBe(200);
    expect((await api("PUT", "/api/devices/rn-1/alerts/thresholds", { temperatureC: { raise: 60, clear: 55 } })).status).toBe(200);
    expect((await api("PUT", "/api/desired-state", { selector: "tag:rn-dock", state: { powerModeId: 1 } })).status).toBe(200);
    const before = (await api<{ tags?: string[]; state?: unknown }>("GET", "/api/devices/rn-1")).body;
    expect(before).toMatchObject({ tags: ["rn-dock"], state: { hostname: "old-host" } });
    expect((await api("DELETE", "/api/devices/rn-1")).status).toBe(204);

    const token = await provision("rn-1");
    await provision("rn-never");
    /** What the fleet answers of a device, as one never provisioned would read (its id and name aside). */
    const reads = async (device: string) => {
      const read = async (path: string) => {
        const { status, body } = await api<unknown>("GET", `/api/devices/${device}${path}`);
        return { status, body: JSON.parse(JSON.stringify(body).replaceAll(device, "DEVICE")) as unknown };
      };
      return {
        summary: await read(""),
        commands: await read("/commands"),
        alerts: await read("/alerts"),
        telemetry: await read(`/telemetry?from=${now - 3_600_000}&to=${now + 3_600_000}&resolution=raw`),
        rollups: await read(`/telemetry?from=${now - 3_600_000}&to=${now + 3_600_000}&resolution=1m`),
        desired: await read("/desired-state"),
        ports: await read("/ports"),
      };
    };
    const fresh = await reads("rn-never");
    expect(fresh.summary.status).toBe(200);
    expect(await reads("rn-1")).toEqual(fresh);

    // Its telemetry starts afresh too: nothing the old board's object held in memory is counted.
    const board = await DeviceClient.open("/tunnel/local/rn-1");
    expect(await board.connect("rn-1", token)).toMatchObject({ reasonCode: 0 });
    board.publishJson("jetson/rn-1/telemetry", { samples: [{ t: now, tempsC: { cpu: 40 } }] }, 13);
    await board.next("puback");
    const raw = await api<{ samples: Array<{ t: number }> }>("GET", `/api/devices/rn-1/telemetry?from=${now - 3_600_000}&to=${now + 3_600_000}&resolution=raw`);
    expect(raw.body.samples.map((sample) => sample.t)).toEqual([now]);
    expect((await api<{ active: unknown[] }>("GET", "/api/devices/rn-1/alerts")).body.active).toEqual([]);
  });

  it("closes its port tunnels, audited; the old URL then answers as one never opened, also once the id is provisioned again", async () => {
    const { tunnel, url } = await openTunnel("rt-1");
    const neverOpened = await exports.default.fetch("http://w/t/abc/");
    const bare = { status: neverOpened.status, text: await neverOpened.text() };
    expect((await api("DELETE", "/api/devices/rt-1")).status).toBe(204);

    const afterRemoval = await exports.default.fetch(`${url}index.html`);
    expect({ status: afterRemoval.status, text: await afterRemoval.text() }).toEqual(bare);
    const audit = await api<{ entries: AuditEntry[] }>("GET", "/api/audit?device=rt-1&action=close_device_port");
    expect(audit.body.entries).toEqual([
      expect.objectContaining({ caller: expect.stringMatching(/^token:/), args: { id: tunnel.id, reason: "the device was removed" }, outcome: "succeeded" }),
    ]);

    const board = await connectedDevice("rt-1");
    await board.subscribeCommands("rt-1");
    const afterReprovision = await exports.default.fetch(`${url}index.html`);
    expect({ status: afterReprovision.status, text: await afterReprovision.text() }).toEqual(bare);
    expect((await api<{ ports: DevicePort[] }>("GET", "/api/devices/rt-1/ports")).body).toEqual({ ports: [] });
  });

  it("is what ends them: a credential rotated keeps the device's queued commands and tunnels", async () => {
    const { client, tunnel } = await openTunnel("rr-1");
    client.send({ type: "disconnect" });
    await client.whenClosed();
    const commandId = await queueRemoval("rr-1");

    const token = await provision("rr-1");
    expect((await api<{ ports: DevicePort[] }>("GET", "/api/devices/rr-1/ports")).body).toEqual({ ports: [tunnel] });
    const board = await DeviceClient.open("/tunnel/local/rr-1");
    expect(await board.connect("rr-1", token)).toMatchObject({ reasonCode: 0 });
    await board.subscribeCommands("rr-1");
    expect(json(await board.next("publish"))).toMatchObject({ id: commandId, action: "containers.remove" });
  });
});
