import type { DesiredState, Drift, DriftAspect } from "@jetson/protocol";

import type { Schema } from "../sqlite-migrations.js";

export const DESIRED_STATE_SCHEMA: Schema = {
  name: "desired_state",
  migrations: ["CREATE TABLE IF NOT EXISTS desired_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)"],
};

export interface StoredDesiredState {
  /** Every rule that chooses the device, merged. */
  desired: DesiredState;
  /** Their selectors, oldest first. */
  rules: string[];
  drift: Drift[];
  updatedAt?: number;
  checkedAt?: number;
  /** What the registry worked the rules out from (its desiredBasis); absent in what earlier releases stored. */
  basis?: string;
}

/** Which field of the desired state each kind of drift is about. */
const ASPECT_FIELD: Record<DriftAspect, keyof DesiredState> = {
  powerMode: "powerModeId",
  clocks: "clocksLocked",
  fan: "fan",
  containers: "containers",
};

const EMPTY: StoredDesiredState = { desired: {}, rules: [], drift: [] };

const same = (a: DesiredState, b: DesiredState) => JSON.stringify(a) === JSON.stringify(b);

/** The device's desired state as last pulled from the fleet's rules, and the drift its last comparison found. */
export class DesiredStateStore {
  constructor(private readonly sql: SqlStorage) {}

  current(): StoredDesiredState {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM desired_state WHERE key = 'current'").toArray()[0];
    return row ? (JSON.parse(row.value) as StoredDesiredState) : EMPTY;
  }

  /** Returns whether the desired state or its rules changed. */
  setDesired(desired: DesiredState, rules: string[], at: number, basis: string): boolean {
    const current = this.current();
    if (same(current.desired, desired) && current.rules.join("\n") === rules.join("\n")) {
      if (current.basis !== basis) this.save({ ...current, basis });
      return false;
    }
    // Drift about what is no longer asked for would mislead; the rest stands until the next comparison.
    const drift = current.drift.filter((d) => desired[ASPECT_FIELD[d.aspect]] !== undefined);
    this.save({ ...current, desired, rules, updatedAt: at, drift, basis });
    return true;
  }

  /** Whether `desired` is still the desired state: a comparison made for one since replaced is stale. */
  holds(desired: DesiredState): boolean {
    return same(this.current().desired, desired);
  }

  /** Returns whether the drift changed. */
  setChecked(drift: Drift[], at: number): boolean {
    const current = this.current();
    this.save({ ...current, drift, checkedAt: at });
    return JSON.stringify(current.drift) !== JSON.stringify(drift);
  }

  private save(value: StoredDesiredState): void {
    this.sql.exec(
      "INSERT INTO desired_state (key, value) VALUES ('current', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      JSON.stringify(value),
    );
  }
}
