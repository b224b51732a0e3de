import { type FleetRunBrief, FleetRunBriefSchema } from "@jetson/protocol";
import type { Schema } from "../sqlite-migrations.js";

/** A run's record is kept this long after it ends (its object deletes itself then), as the audit trail keeps its rows. */
export const RUN_RETENTION_MS = 90 * 86_400_000;

export const RUN_INDEX_SCHEMA: Schema = {
  name: "fleet_runs",
  migrations: ["CREATE TABLE IF NOT EXISTS fleet_runs (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, brief TEXT NOT NULL)"],
};

/** The fleet's runs, newest first, as each reported itself when it started and when it ended; the run's own object has the live record. */
export class RunIndex {
  constructor(private readonly sql: SqlStorage) {}

  note(brief: FleetRunBrief): void {
    this.forgetEnded(Date.now());
    this.sql.exec(
      "INSERT INTO fleet_runs (id, created_at, brief) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET brief = excluded.brief",
      brief.id,
      brief.createdAt,
      JSON.stringify(brief),
    );
  }

  has(id: string): boolean {
    return this.sql.exec("SELECT 1 FROM fleet_runs WHERE id = ?", id).toArray().length > 0;
  }

  list(limit: number): FleetRunBrief[] {
    this.forgetEnded(Date.now());
    return this.sql
      .exec<{ brief: string }>("SELECT brief FROM fleet_runs ORDER BY created_at DESC LIMIT ?", limit)
      .toArray()
      .map((row) => FleetRunBriefSchema.parse(JSON.parse(row.brief)));
  }

  /** Lets go of the runs that ended more than RUN_RETENTION_MS ago, as their objects do. */
  private forgetEnded(now: number): void {
    this.sql.exec("DELETE FROM fleet_runs WHERE json_extract(brief, '$.endedAt') < ?", now - RUN_RETENTION_MS);
  }
}
