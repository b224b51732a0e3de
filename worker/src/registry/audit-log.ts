import type { AuditEntry, AuditQuery, ConfirmedBy } from "@jetson/protocol";
import type { Schema } from "../sqlite-migrations.js";

export const AUDIT_SCHEMA: Schema = {
  name: "audit",
  migrations: [
    `CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, caller TEXT NOT NULL, device TEXT NOT NULL,
  action TEXT NOT NULL, args TEXT NOT NULL, outcome TEXT NOT NULL, error TEXT, duration_ms INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS audit_at ON audit (at)`,
    // The row names its command. Fleets migrated in place before versions were recorded have it already.
    (sql) => {
      const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('audit')").toArray();
      if (!columns.some((c) => c.name === "command_id")) sql.exec("ALTER TABLE audit ADD COLUMN command_id TEXT");
    },
    // How a destructive action was confirmed.
    "ALTER TABLE audit ADD COLUMN confirmed_by TEXT",
  ],
};

/** A fleet's trail keeps 90 days, and at most the newest 100,000 rows. */
export const AUDIT_LIMITS = { retentionMs: 90 * 86_400_000, maxRows: 100_000 };

export type AuditStart = Omit<AuditEntry, "id" | "outcome" | "error" | "durationMs">;
export type AuditEnd = Pick<AuditEntry, "outcome" | "error" | "durationMs">;

/**
 * The fleet's audit trail. Rows are never edited but for one step: a row written
 * `pending` before its command reaches the device is completed once with the
 * outcome. Only retention deletes, oldest first.
 */
export class AuditLog {
  constructor(
    private readonly sql: SqlStorage,
    private readonly limits = AUDIT_LIMITS,
  ) {}

  /** An attempt decided at once (a refusal, or a command the object itself sent and awaited). */
  append(entry: Omit<AuditEntry, "id">, now: number): void {
    this.insert(entry, now);
  }

  /** The row of a command about to be sent; complete() records its outcome. */
  begin(entry: AuditStart, now: number): number {
    return this.insert({ ...entry, outcome: "pending", durationMs: 0 }, now);
  }

  /** Records a pending row's outcome, once. */
  complete(id: number, end: AuditEnd): void {
    this.sql.exec(
      "UPDATE audit SET outcome = ?, error = ?, duration_ms = ? WHERE id = ? AND outcome = 'pending'",
      end.outcome,
      end.error ?? null,
      end.durationMs,
      id,
    );
  }

  query(q: AuditQuery): AuditEntry[] {
    const where: string[] = [];
    const values: SqlStorageValue[] = [];
    const filters: Array<[string, SqlStorageValue | undefined]> = [
      ["device = ?", q.device],
      ["caller = ?", q.caller],
      ["at >= ?", q.from],
      ["at <= ?", q.to],
    ];
    for (const [clause, value] of filters) {
      if (value === undefined) continue;
      where.push(clause);
      values.push(value);
    }
    const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`;
    return this.sql
      .exec<Record<string, SqlStorageValue>>(sql, ...values, q.limit)
      .toArray()
      .map((row) => ({
        id: Number(row.id),
        at: Number(row.at),
        caller: String(row.caller),
        device: String(row.device),
        action: String(row.action),
        args: JSON.parse(String(row.args)) as Record<string, unknown>,
        outcome: row.outcome as AuditEntry["outcome"],
        error: row.error === null ? undefined : String(row.error),
        durationMs: Number(row.duration_ms),
        commandId: row.command_id === null ? undefined : String(row.command_id),
        confirmedBy: row.confirmed_by === null ? undefined : (row.confirmed_by as ConfirmedBy),
      }));
  }

  private insert(entry: Omit<AuditEntry, "id">, now: number): number {
    const id = this.sql
      .exec<{ id: number }>(
        "INSERT INTO audit (at, caller, device, action, args, outcome, error, duration_ms, command_id, confirmed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        entry.at,
        entry.caller,
        entry.device,
        entry.action,
        JSON.stringify(entry.args),
        entry.outcome,
        entry.error ?? null,
        entry.durationMs,
        entry.commandId ?? null,
        entry.confirmedBy ?? null,
      )
      .one().id;
    this.trim(id, now);
    return id;
  }

  /** Retention, on every write: the oldest beyond the cap (ids grow, so by id), and rows past their age. Two range deletes, each on an index. */
  private trim(newest: number, now: number): void {
    this.sql.exec("DELETE FROM audit WHERE id <= ?", newest - this.limits.maxRows);
    this.sql.exec("DELETE FROM audit WHERE at < ?", now - this.limits.retentionMs);
  }
}
