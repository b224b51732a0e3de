import { exports } from "cloudflare:workers";
import { type AuditEntry, type CommandDetail, type DevicePort, encodePortFrame, decodePortFrame } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
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
  it("cancels its queued commands, saying why, and the board provisioned next under its id never receives them", async () => {
    await provision("rq-1");
    const commandId = await queueRemoval("rq-1");
    expect((await api("DELETE", "/api/devices/rq-1")).status).toBe(204);

    const board = await connectedDevice("rq-1");
    await board.subscribeCommands("rq-1");
    expect(await nextCommandAfterPing(board, "rq-1")).toMatchObject({ action: "system.ping" });

    const detail = await api<CommandDetail>("GET", `/api/devices/rq-1/commands/${commandId}`);
    expect(detail.body).toMatchObject({
      state: "cancelled",
      outcome: { ok: false, error: { code: "cancelled", message: expect.stringMatching(/^containers\.remove was cancelled by token:\S+, who removed the device\.$/) } },
    });
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
