import type { Schema } from "../sqlite-migrations.js";
import { AUDIT_LIMITS, dayOf } from "./audit-days.js";

/** In the fleet's registry: which days have an audit shard with rows (about 91 rows at most). */
export const AUDIT_DAYS_SCHEMA: Schema = {
  name: "audit_days",
  migrations: ["CREATE TABLE audit_days (day INTEGER PRIMARY KEY)"],
};

/**
 * The registry's whole share of the audit trail since it is sharded: one row per day, written by
 * the day's shard before its first row, read once per query so that a query visits only days
 * that have rows instead of asking 90 objects.
 */
export class AuditDayIndex {
  constructor(private readonly sql: SqlStorage) {}

  note(day: number): void {
    this.sql.exec("INSERT INTO audit_days (day) VALUES (?) ON CONFLICT (day) DO NOTHING", day);
  }

  /** The days still within retention, newest first; days that left it are forgotten (their shards delete themselves). */
  days(now: number): number[] {
    this.sql.exec("DELETE FROM audit_days WHERE day < ?", dayOf(now - AUDIT_LIMITS.retentionMs));
    return this.sql
      .exec<{ day: number }>("SELECT day FROM audit_days ORDER BY day DESC")
      .toArray()
      .map((row) => row.day);
  }
}
