import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { CLOUD_CLOCK_PROPERTY, type DeviceSummary } from "@jetson/protocol";
import { describe, expect, it, vi } from "vitest";
import { ADMIN, DeviceClient, json, provision } from "./device-client.js";
import { withControlledClock } from "./frozen-clock.js";

function invoke(device: string, action: string, args: Record<string, unknown> = {}, timeoutMs = 5_000) {
  return exports.default.fetch(`http://w/api/devices/${device}/actions/${action}`, {
    method: "POST",
    headers: { ...ADMIN, "Content-Type": "application/json" },
    body: JSON.stringify({ args, timeoutMs }),
  });
}

async function summary(device: string): Promise<{ online: boolean; lastSeen?: number; state?: unknown }> {
  const response = await exports.default.fetch(`http://w/api/devices/${device}`, { headers: ADMIN });
  return response.json();
}

const tokens = new Map<string, string>();

/** Connects a device, provisioning it the first time. */
async function online(id: string, version: 4 | 5 = 5): Promise<DeviceClient> {
  const token = tokens.get(id) ?? (await provision(id));
  tokens.set(id, token);
  const client = await DeviceClient.open(`/tunnel/local/${id}`, version);
  expect(await client.connect(id, token)).toMatchObject({ reasonCode: 0 });
  await client.subscribeCommands(id);
  return client;
}

/** Answers the next command the way a bridge does: ack, then a result. */
async function answer(client: DeviceClient, device: string, data: unknown) {
  const command = json(await client.next("publish"));
  client.publishJson(`jetson/${device}/ack`, { id: command.id }, 1);
  client.publishJson(`jetson/${device}/result`, { id: command.id, ok: true, data, startedAt: 1, endedAt: 2 }, 2);
  return command;
}

describe("the device's Durable Object", () => {
  it("answers the mqtt subprotocol and refuses plain requests", async () => {
    const upgrade = await exports.default.fetch("http://w/tunnel/local/any", {
      headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": "mqtt" },
    });
    expect(upgrade.status).toBe(101);
    expect(upgrade.headers.get("Sec-WebSocket-Protocol")).toBe("mqtt");
    upgrade.webSocket?.accept();
    upgrade.webSocket?.close();
    expect((await exports.default.fetch("http://w/tunnel/local/any")).status).toBe(426);
  });

  it("refuses a wrong token at CONNECT with 0x86 (MQTT 5) and return code 4 (3.1.1)", async () => {
    await provision("dev-auth");
    const v5 = await DeviceClient.open("/tunnel/local/dev-auth", 5);
    expect(await v5.connect("dev-auth", "wrong-token-wrong-token")).toMatchObject({ type: "connack", reasonCode: 0x86 });
    await v5.whenClosed();
    const v4 = await DeviceClient.open("/tunnel/local/dev-auth", 4);
    expect(await v4.connect("dev-auth", "wrong-token-wrong-token")).toMatchObject({ type: "connack", reasonCode: 4 });
    expect((await summary("dev-auth")).online).toBe(false);
  });

  it("tells an MQTT 5 device its clock in the CONNACK, for the device to measure how late a command comes", async () => {
    const token = await provision("dev-clock");
    const client = await DeviceClient.open("/tunnel/local/dev-clock", 5);
    const before = Date.now();
    const connack = await client.connect("dev-clock", token);
    const after = Date.now();
    expect(connack).toMatchObject({ type: "connack", reasonCode: 0 });
    const clock = connack.type === "connack" ? connack.properties?.userProperties?.find(([name]) => name === CLOUD_CLOCK_PROPERTY) : undefined;
    expect(Number(clock?.[1])).toBeGreaterThanOrEqual(before);
    expect(Number(clock?.[1])).toBeLessThanOrEqual(after);
  });

  it("refuses an unknown device the same way as a wrong token", async () => {
    const client = await DeviceClient.open("/tunnel/local/never-provisioned");
    expect(await client.connect("never-provisioned", "x".repeat(32))).toMatchObject({ reasonCode: 0x86 });
  });

  it("runs a command: delivered over QoS 1, result back through the ledger", async () => {
    const client = await online("dev-run");
    const [response, command] = await Promise.all([invoke("dev-run", "system.ping"), answer(client, "dev-run", { pong: true, at: 5, bridgeVersion: "t" })]);
    expect(command).toMatchObject({ action: "system.ping", args: {} });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, data: { pong: true } });
    const stub = env.DEVICE.get(env.DEVICE.idFromName("local/dev-run"));
    const state = await runInDurableObject(stub, (_instance, ctx) =>
      ctx.storage.sql.exec("SELECT state FROM commands WHERE id = ?", command.id).one().state,
    );
    expect(state).toBe("succeeded");
  });

  it("acknowledges QoS 1 publishes, with 0x99 for a payload that fails its schema", async () => {
    const client = await online("dev-puback");
    client.publishJson("jetson/dev-puback/state", { hostname: "h", bridgeVersion: "1", capabilities: [] }, 11);
    expect(await client.next("puback")).toMatchObject({ messageId: 11, reasonCode: 0 });
    client.publishJson("jetson/dev-puback/state", { nope: true }, 12);
    expect(await client.next("puback")).toMatchObject({ messageId: 12, reasonCode: 0x99 });
    client.publishJson("jetson/other-device/state", { hostname: "h", bridgeVersion: "1", capabilities: [] }, 13);
    expect(await client.next("puback")).toMatchObject({ messageId: 13, reasonCode: 0x90 });
    expect((await summary("dev-puback")).state).toMatchObject({ hostname: "h" });
  });

  it("keeps the power mode each state reports in the fleet's summary, and drops it when a state has none", async () => {
    const client = await online("dev-mode");
    const listed = async () => {
      const { devices } = (await (await exports.default.fetch("http://w/api/devices", { headers: ADMIN })).json()) as { devices: DeviceSummary[] };
      return devices.find((d) => d.id === "dev-mode")?.state?.powerMode;
    };
    const state = { hostname: "h", bridgeVersion: "1", capabilities: [] };
    const report = async (messageId: number, powerMode?: { id: number; name: string }) => {
      client.publishJson("jetson/dev-mode/state", { ...state, powerMode }, messageId);
      expect(await client.next("puback")).toMatchObject({ messageId, reasonCode: 0 });
    };
    await report(21, { id: 2, name: "MODE_30W" });
    expect(await listed()).toEqual({ id: 2, name: "MODE_30W" });
    // What the bridge sends after power.set switched modes.
    await report(22, { id: 1, name: "MODE_15W" });
    expect(await listed()).toEqual({ id: 1, name: "MODE_15W" });
    await report(23);
    expect(await listed()).toBeUndefined();
    client.publishJson("jetson/dev-mode/state", { ...state, powerMode: { id: "2", name: "MODE_30W" } }, 24);
    expect(await client.next("puback")).toMatchObject({ messageId: 24, reasonCode: 0x99 });
  });

  it("says the device is offline, and when it was last seen", async () => {
    const client = await online("dev-off");
    client.send({ type: "disconnect" });
    await client.whenClosed();
    const response = await invoke("dev-off", "system.ping");
    expect(response.status).toBe(409);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("device_offline");
    expect(body.error.message).toMatch(/offline \(last seen \d{4}-/);
  });

  it("gives as last seen the time of the device's last packet, however soon after the one before it came", async () => {
    await withControlledClock(async (advance) => {
      const client = await online("dev-last-packet");
      advance(300);
      const lastPacketAt = Date.now();
      client.publishJson("jetson/dev-last-packet/state", { hostname: "dev-last-packet", bridgeVersion: "t", capabilities: [] }, 31);
      expect(await client.next("puback")).toMatchObject({ messageId: 31 });
      // The link drops without a packet (no DISCONNECT): the last sign of life was the state message.
      advance(5_000);
      client.ws.close();
      await client.whenClosed();
      expect(await summary("dev-last-packet")).toMatchObject({ online: false, lastSeen: lastPacketAt });
    });
  });

  it("replaces the first connection when the same device connects again", async () => {
    const first = await online("dev-twice");
    const second = await online("dev-twice");
    expect((await first.whenClosed()).code).toBe(4000);
    const [response] = await Promise.all([invoke("dev-twice", "system.ping"), answer(second, "dev-twice", { pong: true, at: 1, bridgeVersion: "t" })]);
    expect(response.status).toBe(200);
    expect((await summary("dev-twice")).online).toBe(true);
  });

  it("stays online when the replaced connection's close arrives before the new one subscribes", async () => {
    const first = await online("dev-close-between");
    const second = await DeviceClient.open("/tunnel/local/dev-close-between");
    expect(await second.connect("dev-close-between", tokens.get("dev-close-between") ?? "")).toMatchObject({ reasonCode: 0 });
    expect((await first.whenClosed()).code).toBe(4000);
    // The old socket's close is handled now, between the new link's CONNECT and its SUBSCRIBE (delivered here unless
    // the runtime already has): the order that made the device look offline while its new link was up.
    const stub = env.DEVICE.get(env.DEVICE.idFromName("local/dev-close-between"));
    await runInDurableObject(stub, async (instance, ctx) => {
      const replaced = ctx.getWebSockets().filter((ws) => (ws.deserializeAttachment() as { retired?: boolean } | null)?.retired);
      for (const ws of replaced) await instance.webSocketClose(ws);
    });
    expect((await summary("dev-close-between")).online).toBe(true);
    await second.subscribeCommands("dev-close-between");
    const [response] = await Promise.all([
      invoke("dev-close-between", "system.ping"),
      answer(second, "dev-close-between", { pong: true, at: 1, bridgeVersion: "t" }),
    ]);
    expect(response.status).toBe(200);
  });

  it("holds a command for a device that has connected but not yet subscribed, and delivers it when it subscribes", async () => {
    const token = await provision("dev-subscribing");
    const client = await DeviceClient.open("/tunnel/local/dev-subscribing");
    expect(await client.connect("dev-subscribing", token)).toMatchObject({ reasonCode: 0 });
    const call = invoke("dev-subscribing", "system.ping", {}, 10_000);
    // The command reaches the device's ledger (or is refused) before the device subscribes: the window a
    // reconnecting device is in between its CONNACK and its SUBACK, while it already reads as online.
    const stub = env.DEVICE.get(env.DEVICE.idFromName("local/dev-subscribing"));
    const ledgerRows = () => runInDurableObject(stub, (_instance, ctx) => ctx.storage.sql.exec("SELECT id FROM commands").toArray().length);
    const inLedger = vi.waitFor(async () => expect(await ledgerRows()).toBeGreaterThan(0), { timeout: 5_000, interval: 20 });
    expect(await Promise.race([call.then((refused) => refused.status), inLedger.then(() => "held")])).toBe("held");
    await client.subscribeCommands("dev-subscribing");
    const [response] = await Promise.all([call, answer(client, "dev-subscribing", { pong: true, at: 1, bridgeVersion: "t" })]);
    expect(response.status).toBe(200);
  });

  it("redelivers a command sent just before a disconnect, with the same id", async () => {
    const first = await online("dev-redeliver");
    const call = invoke("dev-redeliver", "system.ping", {}, 10_000);
    const sent = json(await first.next("publish"));
    first.ws.close();
    await first.whenClosed();
    const second = await online("dev-redeliver");
    const again = await answer(second, "dev-redeliver", { pong: true, at: 1, bridgeVersion: "t" });
    expect(again.id).toBe(sent.id);
    expect((await call).status).toBe(200);
  });

  it("closes a link silent for 1.5 keepalives and marks the device offline", async () => {
    const client = await online("dev-silent");
    const stub = env.DEVICE.get(env.DEVICE.idFromName("local/dev-silent"));
    await runInDurableObject(stub, (_instance, ctx) => {
      const presence = JSON.parse(String(ctx.storage.sql.exec("SELECT value FROM meta WHERE key = 'presence'").one().value));
      presence.lastSeen -= 91_000;
      ctx.storage.sql.exec("UPDATE meta SET value = ? WHERE key = 'presence'", JSON.stringify(presence));
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await client.whenClosed()).code).toBe(4001);
    expect((await summary("dev-silent")).online).toBe(false);
  });

  it("closes only the connection that sent a malformed frame", async () => {
    const good = await online("dev-good");
    const bad = await online("dev-bad");
    bad.sendRaw(new Uint8Array([0x30, 0xff, 0xff, 0xff, 0xff, 0x7f]));
    expect((await bad.whenClosed()).code).toBe(1002);
    const [response] = await Promise.all([invoke("dev-good", "system.ping"), answer(good, "dev-good", { pong: true, at: 1, bridgeVersion: "t" })]);
    expect(response.status).toBe(200);
  });

  it("lists the fleet from the registry", async () => {
    await provision("dev-listed");
    const response = await exports.default.fetch("http://w/api/devices", { headers: ADMIN });
    const { devices } = (await response.json()) as { devices: Array<{ id: string }> };
    expect(devices.map((d) => d.id)).toContain("dev-listed");
    expect((await exports.default.fetch("http://w/api/devices")).status).toBe(401);
  });
});
