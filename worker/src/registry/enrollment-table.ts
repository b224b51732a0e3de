import type { OpenEnrollment } from "@jetson/protocol";
import type { Schema } from "../sqlite-migrations.js";

export const ENROLLMENT_SCHEMA: Schema = {
  name: "enrollments",
  migrations: [
    `CREATE TABLE IF NOT EXISTS enrollments (
  hash TEXT PRIMARY KEY, device TEXT NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER)`,
    // Who made each code, as the fleet's list of open codes shows it.
    "ALTER TABLE enrollments ADD COLUMN created_by TEXT",
  ],
};

export type Redemption = { ok: true; device: string } | { ok: false; reason: "unknown" | "expired" | "used" };

/** A used or expired code is still answered as such for a day, then forgotten; a fleet holds at most this many open codes. */
export const ENROLLMENT_RETENTION_MS = 86_400_000;
export const MAX_OPEN_ENROLLMENTS = 1_000;

/** A code that can still be redeemed (the query's one parameter is now). */
const OPEN = "used_at IS NULL AND expires_at > ?";

/** One-time enrollment codes, stored as hashes. */
export class EnrollmentTable {
  constructor(private readonly sql: SqlStorage) {}

  /** Stores a code (`by`: who made it), unless the fleet already has MAX_OPEN_ENROLLMENTS unused, unexpired ones; returns whether it did. */
  insert(hash: string, device: string, expiresAt: number, now: number, by?: string): boolean {
    const before = now - ENROLLMENT_RETENTION_MS;
    this.sql.exec("DELETE FROM enrollments WHERE expires_at < ? OR used_at < ?", before, before);
    const open = this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM enrollments WHERE ${OPEN}`, now).one().n;
    if (open >= MAX_OPEN_ENROLLMENTS) return false;
    this.sql.exec("INSERT INTO enrollments (hash, device, expires_at, created_by) VALUES (?, ?, ?, ?)", hash, device, expiresAt, by ?? null);
    return true;
  }

  /** The unused, unexpired codes (at most MAX_OPEN_ENROLLMENTS), by device and expiry: never a code's hash. */
  open(now: number): OpenEnrollment[] {
    return this.sql
      .exec<{ device: string; expires_at: number; created_by: string | null }>(
        `SELECT device, expires_at, created_by FROM enrollments WHERE ${OPEN} ORDER BY device, expires_at`,
        now,
      )
      .toArray()
      .map((row) => ({ device: row.device, expiresAt: row.expires_at, ...(row.created_by !== null && { createdBy: row.created_by }) }));
  }

  /** Forgets a device's unused codes, so none can be redeemed; answers how many there were. */
  cancel(device: string, now: number): number {
    return this.sql.exec(`DELETE FROM enrollments WHERE device = ? AND ${OPEN}`, device, now).rowsWritten;
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
