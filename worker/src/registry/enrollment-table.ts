export const ENROLLMENT_TABLE = `CREATE TABLE IF NOT EXISTS enrollments (
  hash TEXT PRIMARY KEY, device TEXT NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER)`;

export type Redemption = { ok: true; device: string } | { ok: false; reason: "unknown" | "expired" | "used" };

/** One-time enrollment codes, stored as hashes. */
export class EnrollmentTable {
  constructor(private readonly sql: SqlStorage) {}

  insert(hash: string, device: string, expiresAt: number): void {
    this.sql.exec("INSERT INTO enrollments (hash, device, expires_at) VALUES (?, ?, ?)", hash, device, expiresAt);
  }

  /** Uses the code up; a second try, or one after expiry, is refused. */
  redeem(hash: string, now: number): Redemption {
    const row = this.sql
      .exec<{ device: string; expires_at: number; used_at: number | null }>(
        "SELECT device, expires_at, used_at FROM enrollments WHERE hash = ?",
        hash,
      )
      .toArray()[0];
    if (!row) return { ok: false, reason: "unknown" };
    if (row.used_at !== null) return { ok: false, reason: "used" };
    if (row.expires_at <= now) return { ok: false, reason: "expired" };
    this.sql.exec("UPDATE enrollments SET used_at = ? WHERE hash = ?", now, hash);
    return { ok: true, device: row.device };
  }
}
