import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_SESSIONS_PER_TOKEN, SessionTable } from "../src/dashboard/session-table.js";
import { LEDGER_RETENTION_MS, LEDGER_SCHEMA, MAX_LEDGER_ROWS, DeviceStore } from "../src/device/store.js";
import { AUDIT_SHARD_SCHEMA, AuditTable } from "../src/audit/audit-table.js";
import type { RegistryObject } from "../src/registry/registry-object.js";
import { ENROLLMENT_RETENTION_MS, EnrollmentTable, MAX_OPEN_ENROLLMENTS } from "../src/registry/enrollment-table.js";
import { migrate } from "../src/sqlite-migrations.js";
import { ADMIN, connectedDevice, json } from "./device-client.js";
import { withControlledClock } from "./frozen-clock.js";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 10);

const device = (id: string) => env.DEVICE.get(env.DEVICE.idFromName(`retention/${id}`));
const registry = (fleet: string) => env.REGISTRY.get(env.REGISTRY.idFromName(fleet));
/** A fleet's tables exist from its first token on (a made-up fleet stores nothing). */
const existingFleet = (object: RegistryObject) => object.createToken("tok_setup", "setup", "hash-setup", ["admin"]);

const command = (id: string) => ({ id, action: "system.ping", args: {}, deadline: NOW + 60_000, requestedBy: "token:t" });

const entry = (at: number, device = "cam") => ({ at, caller: "token:t", device, action: "system.ping", args: {}, outcome: "succeeded" as const, durationMs: 1 });

describe("the command ledger", () => {
  it("keeps at most the newest MAX_LEDGER_ROWS finished commands, none past retention, and every open one", async () => {
    await runInDurableObject(device("ledger"), async (_object, state) => {
      const store = new DeviceStore(state.storage.sql);
      migrate(state.storage, [LEDGER_SCHEMA]);
      store.insertCommand(command("old-finished"), NOW - LEDGER_RETENTION_MS - 1);
      store.finish("old-finished", "succeeded", NOW - LEDGER_RETENTION_MS - 1, { ok: true });
      store.insertCommand(command("old-open"), NOW - LEDGER_RETENTION_MS - 1);
      for (let i = 0; i < MAX_LEDGER_ROWS + 5; i++) {
        store.insertCommand(command(`c${i}`), NOW);
        store.finish(`c${i}`, "succeeded", NOW, { ok: true });
      }
      const count = state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM commands").one().n;
      expect(count).toBe(MAX_LEDGER_ROWS + 1);
      expect(store.command("old-finished")).toBeUndefined();
      expect(store.command("old-open")?.state).toBe("queued");
      expect(store.command("c4")).toBeUndefined();
      expect(store.command("c5")?.state).toBe("succeeded");
    });
  });

  it("lets a finished command go once past retention also on a device that gets no new command, by the object's alarm", async () => {
    const client = await connectedDevice("idle-ledger");
    await client.subscribeCommands("idle-ledger");
    const commands = async () => {
      const response = await exports.default.fetch("http://w/api/devices/idle-ledger/commands", { headers: ADMIN });
      return ((await response.json()) as { commands: Array<{ action: string; state: string }> }).commands;
    };
    await withControlledClock(async (advance) => {
      const ping = exports.default.fetch("http://w/api/devices/idle-ledger/actions/system.ping", {
        method: "POST",
        headers: { ...ADMIN, "Content-Type": "application/json" },
        body: JSON.stringify({ args: {}, timeoutMs: 5_000 }),
      });
      const command = json(await client.next("publish"));
      client.publishJson("jetson/idle-ledger/result", { id: command.id, ok: true, data: { pong: true, at: 1, bridgeVersion: "t" }, startedAt: 1, endedAt: 2 });
      expect((await ping).status).toBe(200);
      expect(await commands()).toMatchObject([{ action: "system.ping", state: "succeeded" }]);

      advance(LEDGER_RETENTION_MS + 1);
      await runDurableObjectAlarm(env.DEVICE.get(env.DEVICE.idFromName("local/idle-ledger")));
      expect(await commands()).toEqual([]);
    });
  });
});

describe("the audit trail", () => {
  it("keeps at most the newest rows of its cap in a day's table (a day's object is dropped whole: audit-shards.test.ts)", async () => {
    await runInDurableObject(env.AUDIT_SHARD.get(env.AUDIT_SHARD.idFromName("retention-audit")), async (_object, state) => {
      migrate(state.storage, [AUDIT_SHARD_SCHEMA]);
      const capped = new AuditTable(state.storage.sql, Math.floor(NOW / DAY));
      for (let i = 0; i < 5; i++) capped.trim(capped.insert(entry(NOW, `d${i}`)), 3);
      expect(capped.page({ limit: 10 }).map((e) => e.device)).toEqual(["d4", "d3", "d2"]);
    });
  });
});

describe("enrollment codes", () => {
  it("forgets a code a day after it expired, and refuses more than MAX_OPEN_ENROLLMENTS open codes", async () => {
    await runInDurableObject(registry("retention-enroll"), async (object: RegistryObject, state) => {
      await existingFleet(object);
      const codes = new EnrollmentTable(state.storage.sql);
      expect(codes.insert("stale", "cam", NOW + 60_000, NOW)).toBe(true);
      const later = NOW + 60_000 + ENROLLMENT_RETENTION_MS + 1;
      expect(codes.redeem("stale", later - 2)).toEqual({ ok: false, reason: "expired" });
      for (let i = 0; i < MAX_OPEN_ENROLLMENTS; i++) expect(codes.insert(`h${i}`, "cam", later + DAY, later)).toBe(true);
      expect(codes.redeem("stale", later)).toEqual({ ok: false, reason: "unknown" });
      expect(codes.insert("one-more", "cam", later + DAY, later)).toBe(false);
      expect(codes.redeem("h0", later)).toEqual({ ok: true, device: "cam" });
      expect(codes.insert("one-more", "cam", later + DAY, later)).toBe(true);
    });
  });
});

describe("dashboard sessions", () => {
  it("end a token's oldest session beyond MAX_SESSIONS_PER_TOKEN", async () => {
    await runInDurableObject(registry("retention-sessions"), async (object: RegistryObject, state) => {
      await existingFleet(object);
      const sessions = new SessionTable(state.storage.sql);
      const session = { tokenId: "tok_a", scopes: ["read" as const], expiresAt: NOW + DAY };
      for (let i = 0; i <= MAX_SESSIONS_PER_TOKEN; i++) sessions.insert(`s${i}`, session, NOW);
      sessions.insert("other", { ...session, tokenId: "tok_b" }, NOW);
      expect(sessions.find("s0", NOW)).toBeUndefined();
      expect(sessions.find("s1", NOW)).toEqual(session);
      expect(sessions.find(`s${MAX_SESSIONS_PER_TOKEN}`, NOW)).toEqual(session);
      expect(sessions.find("other", NOW)?.tokenId).toBe("tok_b");
    });
  });
});
