import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { AuditEntry, AuditPage } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { AuditTrail } from "../src/audit/audit-trail.js";
import { RegistryObject } from "../src/registry/registry-object.js";
import { rest } from "./rest-call.js";
import { createFleet, DeviceClient, json } from "./device-client.js";
import { withControlledClock } from "./frozen-clock.js";

// The trail of each fleet lives in one object per UTC day. Day boundaries matter here, so every
// test runs on a clock it moves itself (the objects run in this isolate), on days ahead of the
// real one: nothing written before the test can be newer than what it writes.

const DAY = 86_400_000;
const HOUR = 3_600_000;
const TODAY = Math.floor(Date.now() / DAY);
/** Midnight (UTC) of the day `days` after the real today (whatever the test's clock says). */
const midnight = (days: number) => (TODAY + days) * DAY;
const dayName = (at: number) => new Date(at).toISOString().slice(0, 10);
const shard = (fleet: string, at: number) => env.AUDIT_SHARD.get(env.AUDIT_SHARD.idFromName(`${fleet}:audit:${dayName(at)}`));
const registry = (fleet: string) => env.REGISTRY.get(env.REGISTRY.idFromName(fleet));

async function provision(token: string, id: string): Promise<string> {
  const provisioned = await rest<{ token: string }>(token, "POST", "/api/devices", { id });
  expect(provisioned.status).toBe(201);
  return provisioned.body.token;
}

/** A call system.ping's schema refuses: audited at once as `refused`, with `n` in its arguments to tell the rows apart. */
async function refused(token: string, device: string, n: number): Promise<void> {
  expect((await rest(token, "POST", `/api/devices/${device}/actions/system.ping`, { args: { n } })).status).toBe(400);
}

/** Follows nextCursor from the first page to the last; every page but the last is full. */
async function allPages(token: string, query: string, limit: number): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await rest<AuditPage>(token, "GET", `/api/audit?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(page.status).toBe(200);
    if (page.body.nextCursor) expect(page.body.entries).toHaveLength(limit);
    entries.push(...page.body.entries);
    cursor = page.body.nextCursor;
  } while (cursor);
  return entries;
}

/** An entry as the tests name it: device, outcome, and the refused call's `n`. */
const label = (entry: AuditEntry) => `${entry.device} ${entry.outcome}${entry.args.n === undefined ? "" : ` ${String(entry.args.n)}`}`;

describe("the audit trail, one object per fleet and day", () => {
  it("pages across the day shards newest first, each entry exactly once, with filters and a limit", async () => {
    const fleet = "audit-pages";
    const token = await createFleet(fleet);
    await withControlledClock(async (advance) => {
      await provision(token, "pg-a");
      await provision(token, "pg-b");
      await refused(token, "pg-a", 1);
      advance(12 * HOUR); // the next day's first instant
      await refused(token, "pg-b", 2);
      advance(6 * HOUR);
      // Three rows of one instant: ties go by id, the later row first.
      await refused(token, "pg-a", 3);
      await refused(token, "pg-b", 4);
      expect((await rest(token, "POST", "/api/devices/pg-a/actions/system.ping", { args: {} })).status).toBe(409);
      advance(18 * HOUR - 1); // the same day's last instant
      await refused(token, "pg-b", 5);
      advance(DAY + 10 * HOUR + 1); // a day with nothing, then one more
      await refused(token, "pg-a", 6);

      const newestFirst = ["pg-a refused 6", "pg-b refused 5", "pg-a failed", "pg-b refused 4", "pg-a refused 3", "pg-b refused 2", "pg-a refused 1"];
      for (const limit of [1, 2, 3, 7, 100]) expect((await allPages(token, "", limit)).map(label)).toEqual(newestFirst);
      expect((await allPages(token, "device=pg-b", 1)).map(label)).toEqual(["pg-b refused 5", "pg-b refused 4", "pg-b refused 2"]);
      expect((await allPages(token, "outcome=failed&action=system.ping", 2)).map(label)).toEqual(["pg-a failed"]);
      expect((await allPages(token, `from=${midnight(3) + 1}&to=${midnight(4) - 1}&outcome=refused`, 2)).map(label)).toEqual([
        "pg-b refused 5",
        "pg-b refused 4",
        "pg-a refused 3",
      ]);
      const all = await allPages(token, "", 100);
      expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    }, midnight(2) + 12 * HOUR);

    // The rows are in their days' objects; the registry keeps none of them.
    const rows = (at: number) => runInDurableObject(shard(fleet, at), (_o, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM audit").one().n);
    expect([await rows(midnight(2)), await rows(midnight(3)), await rows(midnight(5))]).toEqual([1, 5, 1]);
    const tables = (at: number) => runInDurableObject(shard(fleet, at), (_o, state) => state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 'audit'").toArray());
    expect(await tables(midnight(4))).toEqual([]);
    expect(await runInDurableObject(registry(fleet), (_o, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM audit").one().n)).toBe(0);
  });

  it("refuses a cursor it did not hand out, saying so", async () => {
    const token = await createFleet("audit-cursor");
    for (const cursor of ["not a cursor", "MTIzLjQ1Ni43ODk", "x".repeat(200)]) {
      const answer = await rest<{ error: string }>(token, "GET", `/api/audit?cursor=${encodeURIComponent(cursor)}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/Invalid audit query.*cursor.*nextCursor/s);
    }
  });

  it("completes a command's row in the day it began, after midnight has passed", async () => {
    const fleet = "audit-midnight";
    const token = await createFleet(fleet);
    const begun = midnight(2) - 1_000;
    await withControlledClock(async (advance) => {
      const secret = await provision(token, "late-cam");
      const client = await DeviceClient.open(`/tunnel/${fleet}/late-cam`);
      expect(await client.connect("late-cam", secret)).toMatchObject({ reasonCode: 0 });
      await client.subscribeCommands("late-cam");
      const call = rest<{ ok: boolean }>(token, "POST", "/api/devices/late-cam/actions/system.ping", { args: {} });
      const command = json(await client.next("publish"));
      advance(2_000);
      client.publishJson("jetson/late-cam/result", { id: command.id, ok: true, data: { pong: true, at: 1, bridgeVersion: "t" }, startedAt: 1, endedAt: 2 });
      expect((await call).status).toBe(200);

      const { entries } = (await rest<AuditPage>(token, "GET", "/api/audit?device=late-cam")).body;
      expect(entries).toMatchObject([{ at: begun, outcome: "succeeded", commandId: command.id, durationMs: 2_000 }]);
      client.ws.close();
    }, begun);
    const outcome = (at: number) =>
      runInDurableObject(shard(fleet, at), (_o, state) =>
        state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 'audit'").toArray().length
          ? state.storage.sql.exec<{ outcome: string }>("SELECT outcome FROM audit").toArray().map((r) => r.outcome)
          : [],
      );
    expect(await outcome(begun)).toEqual(["succeeded"]);
    expect(await outcome(midnight(2))).toEqual([]);
  });

  it("answers a row for 90 days, and drops its day's object whole once the whole day is that old", async () => {
    const fleet = "audit-retention";
    const token = await createFleet(fleet);
    const day = midnight(2);
    const written = day + HOUR;
    const dropped = day + DAY + 90 * DAY;
    await withControlledClock(async (advance) => {
      await provision(token, "old-cam");
      await refused(token, "old-cam", 1);
      expect(await runInDurableObject(shard(fleet, day), (_o, state) => state.storage.getAlarm())).toBe(dropped);

      advance(90 * DAY);
      expect((await allPages(token, "", 10)).map(label)).toEqual(["old-cam refused 1"]);
      advance(1);
      expect((await allPages(token, "", 10)).map(label)).toEqual([]);
      advance(dropped - Date.now());

      expect(await runDurableObjectAlarm(shard(fleet, day))).toBe(true);
      const left = await runInDurableObject(shard(fleet, day), (_o, state) =>
        state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE name NOT LIKE '\\_cf\\_%' ESCAPE '\\'").toArray(),
      );
      expect(left).toEqual([]);

      await refused(token, "old-cam", 2);
      expect((await allPages(token, "", 10)).map(label)).toEqual(["old-cam refused 2"]);
      // The fleet's index of days has forgotten the dropped one.
      const index = await runInDurableObject(registry(fleet), (_o, state) => state.storage.sql.exec<{ day: number }>("SELECT day FROM audit_days").toArray());
      expect(index).toEqual([{ day: Math.floor(dropped / DAY) }]);
    }, written);
  });

  it("reads a fleet's rows from before the trail was sharded as its oldest, pages through them, and completes a pending one", async () => {
    const fleet = "audit-legacy";
    const token = await createFleet(fleet);
    const now = midnight(2) + HOUR;
    const legacy = [
      { at: now - 91 * DAY, n: "L0", outcome: "succeeded" },
      { at: midnight(-3), n: "L1", outcome: "succeeded" },
      { at: midnight(-2) + 5 * HOUR, n: "L2", outcome: "pending" },
      { at: midnight(-1), n: "L3", outcome: "refused" },
    ];
    // The registry as the release before shards left it: rows in its audit table, no index of days.
    const pendingId = await runInDurableObject(registry(fleet), async (_o, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP TABLE audit_days");
      sql.exec("DELETE FROM _migrations WHERE schema = 'audit_days'");
      const ids = legacy.map(
        (row) =>
          sql
            .exec<{ id: number }>(
              "INSERT INTO audit (at, caller, device, action, args, outcome, duration_ms, command_id) VALUES (?, 'token:tok_old', 'old-cam', 'system.ping', ?, ?, 3, ?) RETURNING id",
              row.at,
              JSON.stringify({ n: row.n }),
              row.outcome,
              `cmd_${row.n}`,
            )
            .one().id,
      );
      new RegistryObject(state, env);
      await state.blockConcurrencyWhile(async () => undefined);
      expect(sql.exec("SELECT name FROM sqlite_master WHERE name = 'audit_days'").toArray()).toHaveLength(1);
      return ids[2] ?? 0;
    });

    await withControlledClock(async (advance) => {
      await provision(token, "new-cam");
      await refused(token, "new-cam", 1);
      advance(1);
      await refused(token, "new-cam", 2);
      // A task begun before the upgrade ends after it: its row completes where it was written.
      await new AuditTrail(env, fleet).complete(pendingId, { outcome: "succeeded", durationMs: 40 });

      const newestFirst = ["new-cam refused 2", "new-cam refused 1", "old-cam refused L3", "old-cam succeeded L2", "old-cam succeeded L1"];
      for (const limit of [1, 2, 5]) expect((await allPages(token, "", limit)).map(label)).toEqual(newestFirst);
      expect((await allPages(token, "device=old-cam&outcome=succeeded", 1)).map(label)).toEqual(["old-cam succeeded L2", "old-cam succeeded L1"]);
    }, now);
    // The row past 90 days is gone from the registry too, once a query has looked.
    const left = await runInDurableObject(registry(fleet), (_o, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM audit").one().n);
    expect(left).toBe(3);
  });
});
