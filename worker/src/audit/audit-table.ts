import type { AuditEntry, AuditPosition, AuditQuery, ConfirmedBy } from "@jetson/protocol";
import { shorten } from "../policy.js";
import type { Schema } from "../sqlite-migrations.js";
import { boundedArgs, jsonBytes } from "./audit-bounds.js";
import { AUDIT_LIMITS, idBase } from "./audit-days.js";

/** A day's rows, as its AuditShardObject stores them (the registry's table from before shards has the same columns). */
export const AUDIT_SHARD_SCHEMA: Schema = {
  name: "audit",
  migrations: [
    `CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, caller TEXT NOT NULL, device TEXT NOT NULL,
  action TEXT NOT NULL, args TEXT NOT NULL, outcome TEXT NOT NULL, error TEXT, duration_ms INTEGER NOT NULL,
  command_id TEXT, confirmed_by TEXT);
  CREATE INDEX audit_at ON audit (at);
  CREATE INDEX audit_device_at ON audit (device, at)`,
    // Every filter the API offers reads its own rows instead of scanning the day (the rowid in each index keeps (at, id) order).
    `CREATE INDEX audit_caller_at ON audit (caller, at);
  CREATE INDEX audit_action_at ON audit (action, at);
  CREATE INDEX audit_outcome_at ON audit (outcome, at)`,
  ],
};

export type AuditStart = Omit<AuditEntry, "id" | "outcome" | "error" | "durationMs">;
export type AuditEnd = Pick<AuditEntry, "outcome" | "error" | "durationMs">;

/**
 * What one table is asked for: the query's filters and time bounds, the rows after a position (newest first), how many,
 * and how many bytes of them at most (AUDIT_LIMITS.maxPageBytes unless given).
 */
export type AuditSlice = Omit<AuditQuery, "cursor"> & { after?: AuditPosition; maxBytes?: number };

/**
 * One table of audit rows: a day's, or the registry's from before shards. Rows are never edited
 * but for one step: a row written `pending` before its command reaches the device is completed
 * once with the outcome. Entry ids are the day's id base plus the row's id, so an id found in any
 * page names its table (audit-days.ts). A row is bounded in size (its arguments, action and error),
 * when written and, for rows written before there was a bound, when read: a page of them is too.
 */
export class AuditTable {
  private readonly base: number;

  constructor(
    private readonly sql: SqlStorage,
    day: number,
  ) {
    this.base = idBase(day);
  }

  /** Writes a row; answers its entry id. */
  insert(entry: Omit<AuditEntry, "id">): number {
    const row = this.sql
      .exec<{ id: number }>(
        "INSERT INTO audit (at, caller, device, action, args, outcome, error, duration_ms, command_id, confirmed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        entry.at,
        entry.caller,
        entry.device,
        shorten(entry.action),
        JSON.stringify(boundedArgs(entry.args, entry.outcome)),
        entry.outcome,
        entry.error === undefined ? null : shorten(entry.error),
        entry.durationMs,
        entry.commandId ?? null,
        entry.confirmedBy ?? null,
      )
      .one().id;
    return this.base + row;
  }

  /** Records a pending row's outcome, once. */
  complete(id: number, end: AuditEnd): void {
    this.sql.exec(
      "UPDATE audit SET outcome = ?, error = ?, duration_ms = ? WHERE id = ? AND outcome = 'pending'",
      end.outcome,
      end.error ?? null,
      end.durationMs,
      id - this.base,
    );
  }

  /** Keeps the newest `maxRows` (row ids grow, so by id: a range delete on the key). */
  trim(newest: number, maxRows: number): void {
    this.sql.exec("DELETE FROM audit WHERE id <= ?", newest - this.base - maxRows);
  }

  /** Forgets rows older than `at`; answers whether any row is left. */
  expire(at: number): boolean {
    this.sql.exec("DELETE FROM audit WHERE at < ?", at);
    return this.sql.exec("SELECT 1 FROM audit LIMIT 1").toArray().length > 0;
  }

  /**
   * Matching rows newest first, by (at, id), after `slice.after` when given: `slice.limit` at most, and none after
   * the row whose JSON passes `slice.maxBytes` in all (answered: the caller sees the table stopped there).
   */
  page(slice: AuditSlice): AuditEntry[] {
    const where: string[] = [];
    const values: SqlStorageValue[] = [];
    const filters: Array<[string, SqlStorageValue | undefined]> = [
      ["device = ?", slice.device],
      ["caller = ?", slice.caller],
      ["action = ?", slice.action],
      ["outcome = ?", slice.outcome],
      ["at >= ?", slice.from],
      ["at <= ?", slice.to],
    ];
    for (const [clause, value] of filters) {
      if (value === undefined) continue;
      where.push(clause);
      values.push(value);
    }
    if (slice.after) {
      // `at <= ?` as well: a range on the index, so a page deep in the day starts there instead of skipping the rows before.
      where.push("at <= ? AND (at < ? OR id < ?)");
      values.push(slice.after.at, slice.after.at, slice.after.id - this.base);
    }
    const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY at DESC, id DESC LIMIT ?`;
    const maxBytes = slice.maxBytes ?? AUDIT_LIMITS.maxPageBytes;
    const entries: AuditEntry[] = [];
    let bytes = 0;
    // Row by row, each bounded as it is read: no more rows are read than the bytes asked for, and rows written before the bound never sit whole in memory.
    for (const row of this.sql.exec<Record<string, SqlStorageValue>>(sql, ...values, slice.limit)) {
      const entry = this.entry(row);
      entries.push(entry);
      bytes += jsonBytes(entry);
      if (bytes > maxBytes) break;
    }
    return entries;
  }

  private entry(row: Record<string, SqlStorageValue>): AuditEntry {
    const outcome = row.outcome as AuditEntry["outcome"];
    return {
      id: this.base + Number(row.id),
      at: Number(row.at),
      caller: String(row.caller),
      device: String(row.device),
      action: shorten(String(row.action)),
      args: boundedArgs(JSON.parse(String(row.args)) as Record<string, unknown>, outcome),
      outcome,
      error: row.error === null ? undefined : shorten(String(row.error)),
      durationMs: Number(row.duration_ms),
      commandId: row.command_id === null ? undefined : String(row.command_id),
      confirmedBy: row.confirmed_by === null ? undefined : (row.confirmed_by as ConfirmedBy),
    };
  }
}
