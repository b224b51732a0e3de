import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { AuditEntry, BridgeUpdateRecord } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { ADMIN, connectedDevice, type DeviceClient } from "./device-client.js";
import { rest } from "./rest-call.js";

let messageId = 100;

/** Reports a bridge update in the device's state, as the bridge does on connecting; answers the PUBACK's reason code. */
async function reportUpdate(client: DeviceClient, device: string, update: BridgeUpdateRecord): Promise<number | undefined> {
  const id = messageId++;
  client.publishJson(`jetson/${device}/state`, { hostname: device, bridgeVersion: update.version, capabilities: [], update }, id);
  const puback = await client.next("puback");
  expect(puback.messageId).toBe(id);
  return puback.reasonCode;
}

async function updateRows(device: string): Promise<AuditEntry[]> {
  const token = (ADMIN.Authorization ?? "").replace(/^Bearer /, "");
  return (await rest<{ entries: AuditEntry[] }>(token, "GET", `/api/audit?device=${device}&action=bridge.update`)).body.entries;
}

describe("a device's report of its bridge update in the audit trail", () => {
  it("is timed by the Worker; the device's clock goes in its arguments when it is near the Worker's, and is dropped when not", async () => {
    const client = await connectedDevice("upd-1");
    const year2100 = Date.UTC(2100, 0, 1);
    const before = Date.now();
    expect(await reportUpdate(client, "upd-1", { version: "2.0.0", from: "1.0.0", outcome: "updated", at: year2100 })).toBe(0);
    expect((await updateRows("upd-1"))[0]?.at).toBeLessThanOrEqual(Date.now());
    // Past what a date can be scheduled for: the report is still taken and acknowledged.
    expect(await reportUpdate(client, "upd-1", { version: "2.0.1", from: "2.0.0", outcome: "updated", at: 2e14 })).toBe(0);
    const near = Date.now() - 60_000;
    expect(await reportUpdate(client, "upd-1", { version: "2.0.2", from: "2.0.1", outcome: "rolled-back", reason: "health check", at: near })).toBe(0);
    const after = Date.now();

    const rows = await updateRows("upd-1");
    expect(rows.map((row) => row.args)).toEqual([
      { version: "2.0.2", from: "2.0.1", deviceTime: new Date(near).toISOString() },
      { version: "2.0.1", from: "2.0.0" },
      { version: "2.0.0", from: "1.0.0" },
    ]);
    for (const row of rows) {
      expect(row.at).toBeGreaterThanOrEqual(before);
      expect(row.at).toBeLessThanOrEqual(after);
    }
    // No day of 2100 was opened for the fleet's trail (nor its retention alarm set there).
    const shard2100 = env.AUDIT_SHARD.get(env.AUDIT_SHARD.idFromName("local:audit:2100-01-01"));
    expect(await runInDurableObject(shard2100, async (_object, state) => state.storage.getAlarm())).toBeNull();
  });
});
