import type { AuditEntry, AuditQuery } from "@jetson/protocol";

export const AUDIT_TABLE = `CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, caller TEXT NOT NULL, device TEXT NOT NULL,
  action TEXT NOT NULL, args TEXT NOT NULL, outcome TEXT NOT NULL, error TEXT, duration_ms INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS audit_at ON audit (at)`;

/** The fleet's audit trail. Append-only: there is no update or delete. */
export class AuditLog {
  constructor(private readonly sql: SqlStorage) {}

  append(entry: Omit<AuditEntry, "id">): void {
    this.sql.exec(
      "INSERT INTO audit (at, caller, device, action, args, outcome, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      entry.at,
      entry.caller,
      entry.device,
      entry.action,
      JSON.stringify(entry.args),
      entry.outcome,
      entry.error ?? null,
      entry.durationMs,
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
      }));
  }
}
