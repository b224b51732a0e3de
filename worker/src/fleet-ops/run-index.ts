import { type FleetRunBrief, FleetRunBriefSchema } from "@jetson/protocol";
import type { Schema } from "../sqlite-migrations.js";

export const RUN_INDEX_SCHEMA: Schema = {
  name: "fleet_runs",
  migrations: ["CREATE TABLE IF NOT EXISTS fleet_runs (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, brief TEXT NOT NULL)"],
};

/** The fleet's runs, newest first, as each reported itself when it started and when it ended; the run's own object has the live record. */
export class RunIndex {
  constructor(private readonly sql: SqlStorage) {}

  note(brief: FleetRunBrief): void {
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
    return this.sql
      .exec<{ brief: string }>("SELECT brief FROM fleet_runs ORDER BY created_at DESC LIMIT ?", limit)
      .toArray()
      .map((row) => FleetRunBriefSchema.parse(JSON.parse(row.brief)));
  }
}
