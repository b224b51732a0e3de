import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { AuditEntry } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { dayOf, dayStart, shardName } from "../src/audit/audit-days.js";
import { AuditShardObject } from "../src/audit/audit-shard-object.js";
import { AUDIT_SHARD_SCHEMA, type AuditSlice, AuditTable } from "../src/audit/audit-table.js";
import { migrate, schemaVersion } from "../src/sqlite-migrations.js";

const DAY = dayOf(Date.UTC(2026, 0, 1));
const ROWS = 300;

/** Row `i` of the day: three callers, two actions, three outcomes, two devices, each in turn. */
function row(i: number): Omit<AuditEntry, "id"> {
  return {
    at: dayStart(DAY) + i * 1_000,
    caller: `token:${["a", "b", "c"][i % 3]}`,
    device: `cam-${i % 2}`,
    action: ["system.ping", "containers.list"][i % 2] ?? "",
    args: { i },
    outcome: (["succeeded", "failed", "refused"] as const)[i % 3] ?? "succeeded",
    durationMs: 1,
  };
}

/** The slices the API offers a filter for: one that matches some rows, and one that matches none, for each. */
const FILTERS: Array<[string, Partial<AuditSlice>, Partial<AuditSlice>]> = [
  ["device", { device: "cam-1" }, { device: "nowhere" }],
  ["caller", { caller: "token:b" }, { caller: "token:nobody" }],
  ["action", { action: "containers.list" }, { action: "nothing.here" }],
  ["outcome", { outcome: "refused" }, { outcome: "pending" }],
];

describe("a day's audit shard written before its filters had indexes", () => {
  it("keeps its rows, and answers each filter the API offers from an index: one matching nothing reads no row", async () => {
    const shard = env.AUDIT_SHARD.get(env.AUDIT_SHARD.idFromName(shardName("audit-filters", DAY)));
    await runInDurableObject(shard, async (_object, state) => {
      const sql = state.storage.sql;
      migrate(state.storage, [{ ...AUDIT_SHARD_SCHEMA, migrations: AUDIT_SHARD_SCHEMA.migrations.slice(0, 1) }]);
      const table = new AuditTable(sql, DAY);
      for (let i = 0; i < ROWS; i++) table.insert(row(i));
      const slice = (filter: Partial<AuditSlice>): AuditSlice => ({ from: dayStart(DAY), limit: ROWS + 1, ...filter });
      const before = FILTERS.map(([, some]) => table.page(slice(some)));

      const started = new AuditShardObject(state, env);
      await state.blockConcurrencyWhile(async () => undefined);
      expect(schemaVersion(sql, "audit")).toBe(AUDIT_SHARD_SCHEMA.migrations.length);

      // The rows a page reads, as the object's storage counts them (what a Durable Object's SQL is billed by).
      const exec = sql.exec.bind(sql);
      const cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
      sql.exec = <T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): SqlStorageCursor<T> => {
        const cursor = exec<T>(query, ...bindings);
        cursors.push(cursor);
        return cursor;
      };
      const read = async (filter: Partial<AuditSlice>): Promise<{ entries: AuditEntry[]; rowsRead: number }> => {
        cursors.length = 0;
        const entries = await started.page(DAY, slice(filter));
        return { entries, rowsRead: cursors.reduce((sum, cursor) => sum + cursor.rowsRead, 0) };
      };

      for (const [index, [name, some, none]] of FILTERS.entries()) {
        const matching = await read(some);
        expect(matching.entries, name).toEqual(before[index]);
        expect(matching.entries.length, name).toBeGreaterThan(ROWS / 4);
        expect(matching.entries.map((entry) => entry.at), name).toEqual(matching.entries.map((entry) => entry.at).sort((a, b) => b - a));
        expect(matching.rowsRead, name).toBeLessThanOrEqual(matching.entries.length + 1);
        const nothing = await read(none);
        expect(nothing.entries, name).toEqual([]);
        expect(nothing.rowsRead, name).toBeLessThanOrEqual(1);
      }
      sql.exec = exec;
    });
  });
});
