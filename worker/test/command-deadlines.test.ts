import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { AuditEntry, CommandDetail } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { ADMIN, DeviceClient, json, provision } from "./device-client.js";
import { withControlledClock } from "./frozen-clock.js";

/** A call waits in the device's object in memory: these are what happens to it when that object restarts (a deploy, an eviction). */
const stub = (device: string) => env.DEVICE.get(env.DEVICE.idFromName(`local/${device}`));

async function call(device: string, timeoutMs: number): Promise<void> {
  await exports.default
    .fetch(`http://w/api/devices/${device}/actions/system.ping`, {
      method: "POST",
      headers: { ...ADMIN, "Content-Type": "application/json" },
      body: JSON.stringify({ args: {}, timeoutMs }),
    })
    .then((response) => response.text())
    .catch(() => undefined);
}

async function ledger(device: string, id: string): Promise<CommandDetail> {
  return JSON.parse((await stub(device).commandDetail(id)) ?? "null") as CommandDetail;
}

async function auditOf(device: string, commandId: string): Promise<AuditEntry | undefined> {
  const response = await exports.default.fetch(`http://w/api/audit?device=${device}`, { headers: ADMIN });
  return ((await response.json()) as { entries: AuditEntry[] }).entries.find((entry) => entry.commandId === commandId);
}

/** Restarts the device's object as a deploy does: what it held in memory is gone, its storage stays. */
async function restart(device: string): Promise<void> {
  await runInDurableObject(stub(device), (_object, state) => state.abort("deploy")).catch(() => undefined);
}

/** The board's link, connected and listening for commands. */
async function online(device: string, token: string): Promise<DeviceClient> {
  const client = await DeviceClient.open(`/tunnel/local/${device}`);
  expect(await client.connect(device, token)).toMatchObject({ reasonCode: 0 });
  await client.subscribeCommands(device);
  return client;
}

describe("a call whose device's object restarts while the device holds it", () => {
  it("times out at its deadline by the object's alarm, its ledger row and its audit row alike", async () => {
    const client = await online("dl-restart", await provision("dl-restart"));
    await withControlledClock(async (advance) => {
      const waiting = call("dl-restart", 2_000);
      const command = json(await client.next("publish"));
      await restart("dl-restart");
      await waiting;
      advance(3_000);
      await runDurableObjectAlarm(stub("dl-restart"));
      expect(await ledger("dl-restart", String(command.id))).toMatchObject({ state: "timed_out", outcome: { ok: false, error: { code: "timed_out" } } });
      expect(await auditOf("dl-restart", String(command.id))).toMatchObject({ outcome: "failed", error: expect.stringMatching(/^timed_out:/) });
    });
  });

  it("completes its audit row with the result the device sends after reconnecting", async () => {
    const token = await provision("dl-answer");
    const first = await online("dl-answer", token);
    const waiting = call("dl-answer", 60_000);
    const command = json(await first.next("publish"));
    await restart("dl-answer");
    await waiting;

    const client = await online("dl-answer", token);
    expect(json(await client.next("publish"))).toMatchObject({ id: command.id });
    client.publishJson("jetson/dl-answer/result", { id: command.id, ok: true, data: { pong: true, at: 1, bridgeVersion: "t" }, startedAt: 1, endedAt: 2 }, 3);
    await client.next("puback");
    expect(await ledger("dl-answer", String(command.id))).toMatchObject({ state: "succeeded" });
    expect(await auditOf("dl-answer", String(command.id))).toMatchObject({ outcome: "succeeded" });
  });
});

describe("a command the device finishes after the cloud timed it out", () => {
  it("stays timed out, and its ledger keeps what the device reported", async () => {
    const client = await online("dl-late", await provision("dl-late"));
    const waiting = call("dl-late", 1_000);
    const command = json(await client.next("publish"));
    await waiting;
    expect(await ledger("dl-late", String(command.id))).toMatchObject({ state: "timed_out" });
    client.publishJson("jetson/dl-late/result", { id: command.id, ok: true, data: { pong: true, at: 1, bridgeVersion: "t" }, startedAt: 1, endedAt: 2 }, 7);
    await client.next("puback");
    expect(await ledger("dl-late", String(command.id))).toMatchObject({ state: "timed_out", outcomeOnDevice: { ok: true, data: { pong: true } } });
  });
});

describe("a removed device", () => {
  it("has nothing to cancel, when a fleet run asks without the registry", async () => {
    await online("dl-removed", await provision("dl-removed"));
    expect((await exports.default.fetch("http://w/api/devices/dl-removed", { method: "DELETE", headers: ADMIN })).status).toBe(204);
    expect(await stub("dl-removed").cancel("cAAAAAAAAAAAA", "token:test", "system.ping")).toBe(false);
  });
});
