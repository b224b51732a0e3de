import { type FleetSettings, type FleetSettingsChange, FleetSettingsSchema } from "@jetson/protocol";
import type { Schema } from "../sqlite-migrations.js";

export const SETTINGS_SCHEMA: Schema = {
  name: "settings",
  migrations: ["CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)"],
};

/** A fleet's settings: one row per setting that was changed; the schema's defaults stand for the rest. */
export class SettingsTable {
  constructor(private readonly sql: SqlStorage) {}

  read(): FleetSettings {
    const rows = this.sql.exec<{ name: string; value: string }>("SELECT name, value FROM settings").toArray();
    // A stored value a later version no longer accepts falls back to its default rather than failing every read.
    const stored = Object.fromEntries(rows.map((row) => [row.name, JSON.parse(row.value) as unknown]));
    const parsed = FleetSettingsSchema.safeParse(stored);
    return parsed.success ? parsed.data : FleetSettingsSchema.parse({});
  }

  /** Sets a setting that never changes once set; answers the value it holds (the existing one when there was one). */
  writeOnce<N extends keyof FleetSettings>(name: N, value: NonNullable<FleetSettings[N]>): FleetSettings[N] {
    this.sql.exec("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", name, JSON.stringify(value));
    return this.read()[name];
  }

  write(changes: FleetSettingsChange): FleetSettings {
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      this.sql.exec("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", name, JSON.stringify(value));
    }
    return this.read();
  }
}
