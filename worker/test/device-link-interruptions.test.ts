import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { AuditEntry, CommandDetail } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { DEVICE_SCHEMAS, DeviceObject } from "../src/device/device-object.js";
import { MAX_WILL_BYTES } from "../src/device/mqtt-session.js";
import { MAX_KEPT_PENDING_BYTES, PacketReaders } from "../src/device/packet-readers.js";
import { DeviceStore, LEDGER_SCHEMA } from "../src/device/store.js";
import { encodePacket } from "../src/mqtt/index.js";
import { migrate, schemaVersion } from "../src/sqlite-migrations.js";
import { ADMIN, DeviceClient, json, provision } from "./device-client.js";
import { mcpRequest } from "./mcp-request.js";

const tokens = new Map<string, string>();

const stub = (id: string) => env.DEVICE.get(env.DEVICE.idFromName(`local/${id}`));

/** Connects a device as the bridge does: command and cancel topics in one SUBSCRIBE, then its port topic in a second. */
async function bridgeLink(id: string): Promise<DeviceClient> {
  const token = tokens.get(id) ?? (await provision(id));
  tokens.set(id, token);
  const client = await DeviceClient.open(`/tunnel/local/${id}`);
  expect(await client.connect(id, token)).toMatchObject({ reasonCode: 0 });
  await client.subscribeLikeBridge(id, [`jetson/${id}/port-down`]);
  return client;
}

async function drop(client: DeviceClient): Promise<void> {
  client.ws.close();
  await client.whenClosed();
}

function invoke(device: string, timeoutMs = 15_000): Promise<Response> {
  return exports.default.fetch(`http://w/api/devices/${device}/actions/system.ping`, {
    method: "POST",
    headers: { ...ADMIN, "Content-Type": "application/json" },
    body: JSON.stringify({ args: {}, timeoutMs }),
  });
}

/** The device acknowledges a command and answers it, each publish acknowledged before the next step. */
async function answer(client: DeviceClient, device: string, id: string, ok = true): Promise<void> {
  client.publishJson(`jetson/${device}/ack`, { id }, 1);
  await client.next("puback");
  const result = ok
    ? { id, ok: true, data: { pong: true, at: 1, bridgeVersion: "t" }, startedAt: 1, endedAt: 2 }
    : { id, ok: false, error: { code: "cancelled", message: "system.ping was cancelled while it ran; its handler was stopped." }, startedAt: 1, endedAt: 2 };
  client.publishJson(`jetson/${device}/result`, result, 2);
  await client.next("puback");
}

describe("a cancel made while the device's link is down", () => {
  it("reaches the device when it is back, and again at each new link until the device answers the command", async () => {
    const device = "dev-cancel-away";
    const first = await bridgeLink(device);
    const call = invoke(device);
    const command = json(await first.next("publish"));
    first.publishJson(`jetson/${device}/ack`, { id: command.id }, 1);
    await first.next("puback");
    await drop(first);

    expect(await stub(device).cancel(String(command.id), "tester")).toBe(true);
    expect(await (await call).json()).toMatchObject({ ok: false, error: { code: "cancelled" } });

    // Back, the device is told to stop the command before it gets the next one.
    const second = await bridgeLink(device);
    const next = invoke(device);
    const cancel = await second.next("publish");
    expect(cancel.topic).toBe(`jetson/${device}/cancel`);
    expect(json(cancel)).toEqual({ id: command.id });
    const ping = json(await second.next("publish"));
    expect(ping.action).toBe("system.ping");
    await answer(second, device, String(ping.id));
    expect((await next).status).toBe(200);
    await drop(second);

    // Not answered yet: told again.
    const third = await bridgeLink(device);
    const again = await third.next("publish");
    expect(again.topic).toBe(`jetson/${device}/cancel`);
    expect(json(again)).toEqual({ id: command.id });
    await answer(third, device, String(command.id), false);
    await drop(third);

    // Answered: the next link gets its next command, and no cancel before it.
    const fourth = await bridgeLink(device);
    const last = invoke(device);
    const after = await fourth.next("publish");
    expect(after.topic).toBe(`jetson/${device}/command`);
    await answer(fourth, device, String(json(after).id));
    expect((await last).status).toBe(200);
  });
});

describe("a device that reconnects", () => {
  it("gets each command it has not answered once, though it subscribes twice", async () => {
    const device = "dev-redeliver-once";
    const first = await bridgeLink(device);
    const call = invoke(device);
    const sent = json(await first.next("publish"));
    await drop(first);

    const second = await bridgeLink(device);
    const again = json(await second.next("publish"));
    expect(again.id).toBe(sent.id);
    await answer(second, device, String(sent.id));
    expect((await call).status).toBe(200);

    const next = invoke(device);
    const fresh = json(await second.next("publish"));
    expect(fresh.id).not.toBe(sent.id);
    await answer(second, device, String(fresh.id));
    expect((await next).status).toBe(200);
  });
});

describe("a caller whose device's object restarts while it waits", () => {
  it("is told over REST which command was in flight, can read it, and its audit row gets what the device did", async () => {
    const device = "dev-restart-rest";
    const client = await bridgeLink(device);
    const call = invoke(device);
    const command = json(await client.next("publish"));
    // As a deploy does: the object restarts, its callers' RPCs fail (the abort fails this call too).
    await runInDurableObject(stub(device), (_object, ctx) => ctx.abort("reset")).catch(() => undefined);

    const response = await call;
    expect(response.status).toBe(502);
    const body = (await response.json()) as { ok: boolean; error: { code: string; message: string } };
    expect(body).toMatchObject({ ok: false, error: { code: "unavailable" } });
    expect(body.error.message).toContain(`get_command ${String(command.id)}`);

    const detail = async () => (await exports.default.fetch(`http://w/api/devices/${device}/commands/${String(command.id)}`, { headers: ADMIN })).json() as Promise<CommandDetail>;
    expect(await detail()).toMatchObject({ id: command.id, action: "system.ping", state: "sent" });

    // The device answers once it is back: the ledger and the audit row say so, and nothing runs twice.
    const back = await bridgeLink(device);
    expect(json(await back.next("publish"))).toMatchObject({ id: command.id });
    await answer(back, device, String(command.id));
    expect(await detail()).toMatchObject({ state: "succeeded" });
    const audit = await exports.default.fetch(`http://w/api/audit?device=${device}`, { headers: ADMIN });
    expect(((await audit.json()) as { entries: AuditEntry[] }).entries).toMatchObject([{ commandId: command.id, outcome: "succeeded" }]);
  });

  it("is told over MCP which command was in flight, not an internal error", async () => {
    const device = "dev-restart-mcp";
    const client = await bridgeLink(device);
    const call = mcpRequest(ADMIN.Authorization?.slice("Bearer ".length), "tools/call", { name: "system_ping", arguments: { device, timeoutMs: 15_000 } });
    const command = json(await client.next("publish"));
    await runInDurableObject(stub(device), (_object, ctx) => ctx.abort("reset")).catch(() => undefined);

    const { result } = (await call).body;
    expect(result?.isError).toBe(true);
    expect(result?.content?.[0]?.text).toContain(`get_command ${String(command.id)}`);
  });
});

describe("a packet split across WebSocket messages", () => {
  /** A PINGREQ and the start of `bytes` in one message: its PINGRESP says the start was read before anything else happens. */
  async function sendStart(client: DeviceClient, bytes: Uint8Array, cut: number): Promise<void> {
    const ping = encodePacket({ type: "pingreq" }, 5);
    const message = new Uint8Array(ping.length + cut);
    message.set(ping);
    message.set(bytes.subarray(0, cut), ping.length);
    client.sendRaw(message);
    await client.next("pingresp");
  }

  /** What waking from hibernation does to the object's in-memory readers. */
  async function wake(device: string): Promise<void> {
    await runInDurableObject(stub(device), (object) => {
      (object as unknown as { readers: PacketReaders }).readers = new PacketReaders();
    });
  }

  /** A state report; a `full` one has each text at its longest, over MAX_KEPT_PENDING_BYTES in all. */
  function statePublish(device: string, messageId: number, full = false): Uint8Array {
    const texts = full ? { hostname: "h".repeat(253), board: "b".repeat(128), soc: "s".repeat(64), l4t: "l".repeat(32), jetpack: "j".repeat(32) } : { hostname: "h" };
    const payload = new TextEncoder().encode(JSON.stringify({ ...texts, bridgeVersion: "1", capabilities: [] }));
    return encodePacket({ type: "publish", topic: `jetson/${device}/state`, payload, qos: 1, retain: false, dup: false, messageId }, 5);
  }

  it("is read whole when the object slept between its parts", async () => {
    const device = "dev-split-sleep";
    const client = await bridgeLink(device);
    const bytes = statePublish(device, 21);
    await sendStart(client, bytes, 10);
    await wake(device);
    client.sendRaw(bytes.subarray(10));
    expect(await client.next("puback")).toMatchObject({ messageId: 21, reasonCode: 0 });
  });

  it("is read whole when the object slept with the largest start it keeps, beside the largest will", async () => {
    // The longest device id, and a will whose bytes each decode to two: the attachment at its fullest.
    const device = `dev-split-will-${"w".repeat(48)}`;
    const token = await provision(device);
    const client = await DeviceClient.open(`/tunnel/local/${device}`);
    const will = { topic: `jetson/${device}/telemetry`, payload: new Uint8Array(MAX_WILL_BYTES).fill(0xff), qos: 1 as const, retain: false };
    client.send({ type: "connect", protocolVersion: 5, clientId: device, clean: true, keepalive: 60, username: device, password: new TextEncoder().encode(token), will });
    expect(await client.next("connack")).toMatchObject({ reasonCode: 0 });
    const bytes = statePublish(device, 23, true);
    await sendStart(client, bytes, MAX_KEPT_PENDING_BYTES);
    await wake(device);
    client.sendRaw(bytes.subarray(MAX_KEPT_PENDING_BYTES));
    expect(await client.next("puback")).toMatchObject({ messageId: 23, reasonCode: 0 });
  });

  it("too large to keep while the object sleeps closes the link and says why, and is read whole when it does not sleep", async () => {
    const device = "dev-split-large";
    const client = await bridgeLink(device);
    const large = statePublish(device, 22, true);
    await sendStart(client, large, MAX_KEPT_PENDING_BYTES + 1);
    client.sendRaw(large.subarray(MAX_KEPT_PENDING_BYTES + 1));
    expect(await client.next("puback")).toMatchObject({ messageId: 22, reasonCode: 0 });

    await sendStart(client, large, MAX_KEPT_PENDING_BYTES + 1);
    await wake(device);
    client.sendRaw(large.subarray(MAX_KEPT_PENDING_BYTES + 1));
    expect((await client.whenClosed()).reason).toMatch(/bytes of a packet were lost while the tunnel slept/);
  });
});

describe("a device's ledger written before it kept owed cancels", () => {
  it("gains the column, and a command of it cancelled while the link is down is owed to the device", async () => {
    const now = Date.now();
    await runInDurableObject(env.DEVICE.get(env.DEVICE.idFromName("old-fleet/old-cancels")), async (_object, state) => {
      const sql = state.storage.sql;
      const before = DEVICE_SCHEMAS.map((schema) => (schema === LEDGER_SCHEMA ? { ...schema, migrations: schema.migrations.slice(0, 5) } : schema));
      migrate(state.storage, before);
      new DeviceStore(sql).setIdentity({ fleet: "old-fleet", deviceId: "old-cancels", credentialHash: "h" });
      sql.exec("INSERT INTO commands (id, action, args, requested_by, deadline, state, created_at) VALUES ('cmd_old', 'system.ping', '{}', 'token:t', ?, 'running', ?)", now + 60_000, now);

      const started = new DeviceObject(state, env);
      await state.blockConcurrencyWhile(async () => undefined);
      expect(schemaVersion(sql, LEDGER_SCHEMA.name)).toBe(LEDGER_SCHEMA.migrations.length);
      expect(await started.cancel("cmd_old", "tester")).toBe(true);
      expect(new DeviceStore(sql).cancelsOwed(now)).toEqual(["cmd_old"]);
    });
  });
});
