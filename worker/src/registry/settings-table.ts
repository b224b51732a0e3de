import { type FleetSettings, type FleetSettingsChange, FleetSettingsSchema, type KeyRotation, MAX_KEY_ROTATIONS } from "@jetson/protocol";
import type { Schema } from "../sqlite-migrations.js";

export const SETTINGS_SCHEMA: Schema = {
  name: "settings",
  migrations: ["CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)"],
};

/** Whether a key rotation was taken: how many the fleet has now, or why not. */
export type RotationOutcome = { ok: true; rotations: number } | { ok: false; why: string };

function settingSchema(name: string) {
  return Object.hasOwn(FleetSettingsSchema.shape, name) ? FleetSettingsSchema.shape[name as keyof FleetSettings] : undefined;
}

/** A fleet's settings: one row per setting that was changed; the schema's defaults stand for the rest. */
export class SettingsTable {
  constructor(private readonly sql: SqlStorage) {}

  read(): FleetSettings {
    const rows = this.sql.exec<{ name: string; value: string }>("SELECT name, value FROM settings").toArray();
    // Each stored setting is read on its own: one that a later version no longer accepts, or no longer
    // has, stands at its default alone instead of taking the others (the update key) with it.
    const stored = rows.flatMap((row) => {
      const parsed = settingSchema(row.name)?.safeParse(JSON.parse(row.value));
      return parsed?.success ? [[row.name, parsed.data]] : [];
    });
    return FleetSettingsSchema.parse(Object.fromEntries(stored));
  }

  /** Sets a setting that never changes once set; answers the value it holds (the existing one when there was one). */
  writeOnce<N extends keyof FleetSettings>(name: N, value: NonNullable<FleetSettings[N]>): FleetSettings[N] {
    this.sql.exec("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", name, JSON.stringify(value));
    return this.read()[name];
  }

  write(changes: FleetSettingsChange): FleetSettings {
    for (const [name, value] of Object.entries(changes)) {
      if (value !== undefined) this.put(name, value);
    }
    return this.read();
  }

  /**
   * Replaces the update key by the one the rotation names, when it starts from the key the fleet
   * has (its signature is the caller's to check), and keeps the rotation for devices to follow.
   */
  rotateUpdateKey(rotation: KeyRotation): RotationOutcome {
    const { updateKey, updateKeyRotations = [] } = this.read();
    if (updateKey === undefined) return { ok: false, why: "the fleet has no update key to rotate (jetson-fleet release keygen pins one)" };
    if (rotation.from !== updateKey) return { ok: false, why: `it starts from ${rotation.from}, and the fleet's update key is ${updateKey}` };
    if (updateKeyRotations.length >= MAX_KEY_ROTATIONS) return { ok: false, why: `the fleet has rotated its key ${MAX_KEY_ROTATIONS} times, the most it keeps` };
    this.put("updateKey", rotation.to);
    this.put("updateKeyRotations", [...updateKeyRotations, rotation]);
    return { ok: true, rotations: updateKeyRotations.length + 1 };
  }

  private put(name: string, value: unknown): void {
    this.sql.exec("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", name, JSON.stringify(value));
  }
}
