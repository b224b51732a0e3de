import type { Schema } from "../sqlite-migrations.js";

/**
 * The fleet's audit trail as the registry kept it before the trail was sharded by day
 * (../audit/). Nothing is written here any more: existing fleets' rows are read as the oldest
 * shard, pending ones still complete here, and retention empties the table within 90 days. Its
 * migrations stay, so that a fleet from any earlier release reaches these columns.
 */
export const LEGACY_AUDIT_SCHEMA: Schema = {
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
