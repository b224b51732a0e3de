import { type Alert, type AlertKind, type AlertThresholds, AlertThresholdsSchema } from "@jetson/protocol";
import type { Schema } from "../sqlite-migrations.js";
import type { EvaluatorState, Transition } from "./alert-rules.js";

export const ALERT_SCHEMA: Schema = {
  name: "alerts",
  migrations: [
    `
  CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    since INTEGER NOT NULL,
    cleared_at INTEGER,
    value REAL NOT NULL,
    message TEXT NOT NULL
  );
  -- At most one active alert of each kind.
  CREATE UNIQUE INDEX IF NOT EXISTS alerts_active ON alerts (kind) WHERE cleared_at IS NULL;
  CREATE TABLE IF NOT EXISTS alert_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`,
  ],
};

type AlertRow = {
  kind: string;
  since: number;
  cleared_at: number | null;
  value: number;
  message: string;
};

const COLUMNS = "kind, since, cleared_at, value, message";

/**
 * A device's alerts (active and past), its thresholds and what the rules remember, in its object's SQLite.
 * Every telemetry batch reads the thresholds, the rules' state and the active alerts: they are read once
 * and then kept in memory as written, which holds because only this store writes them; a rebuilt object
 * (after hibernation or eviction) starts empty and reads them again.
 */
export class AlertStore {
  #thresholds: AlertThresholds | undefined;
  #evaluator: EvaluatorState | undefined;
  #active: Alert[] | undefined;

  constructor(private readonly sql: SqlStorage) {}

  thresholds(): AlertThresholds {
    if (this.#thresholds === undefined) {
      const stored = this.setting("thresholds");
      this.#thresholds = AlertThresholdsSchema.parse(stored === undefined ? {} : JSON.parse(stored));
    }
    return this.#thresholds;
  }

  setThresholds(thresholds: AlertThresholds): void {
    this.#thresholds = undefined;
    this.setSetting("thresholds", JSON.stringify(thresholds));
  }

  evaluatorState(): EvaluatorState {
    if (this.#evaluator === undefined) {
      const stored = this.setting("evaluator");
      this.#evaluator = stored === undefined ? { lastT: 0 } : (JSON.parse(stored) as EvaluatorState);
    }
    return this.#evaluator;
  }

  /** Active alerts, oldest first; callers get their own copy of the list. */
  active(): Alert[] {
    this.#active ??= this.sql.exec<AlertRow>(`SELECT ${COLUMNS} FROM alerts WHERE cleared_at IS NULL ORDER BY since`).toArray().map(toAlert);
    return [...this.#active];
  }

  activeKinds(): Set<AlertKind> {
    return new Set(this.active().map((alert) => alert.kind));
  }

  /** The newest `limit` alerts cleared at or after `since`, newest first, and how many more there are. */
  clearedSince(since: number, limit: number): { alerts: Alert[]; omitted: number } {
    const alerts = this.sql
      .exec<AlertRow>(`SELECT ${COLUMNS} FROM alerts WHERE cleared_at >= ? ORDER BY cleared_at DESC, id DESC LIMIT ?`, since, limit)
      .toArray()
      .map(toAlert);
    if (alerts.length < limit) return { alerts, omitted: 0 };
    const all = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM alerts WHERE cleared_at >= ?", since).one().n;
    return { alerts, omitted: all - alerts.length };
  }

  /** Records raises and clears (a raise of an active kind or a clear of an inactive one changes nothing). */
  apply(transitions: readonly Transition[], state?: EvaluatorState): void {
    // Forgotten before writing: a write that throws leaves memory to be read again, never ahead of or behind SQLite.
    if (transitions.length > 0) this.#active = undefined;
    if (state) this.#evaluator = undefined;
    for (const t of transitions) {
      if (t.change === "raise") {
        this.sql.exec(
          "INSERT INTO alerts (kind, since, value, message) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
          t.kind,
          t.at,
          t.value,
          t.message,
        );
      } else {
        this.sql.exec("UPDATE alerts SET cleared_at = ? WHERE kind = ? AND cleared_at IS NULL", t.at, t.kind);
      }
    }
    if (state) {
      this.setSetting("evaluator", JSON.stringify(state));
      this.#evaluator = state;
    }
  }

  /** Forgets alerts cleared before `before`. */
  prune(before: number): void {
    this.sql.exec("DELETE FROM alerts WHERE cleared_at < ?", before);
  }

  private setting(key: string): string | undefined {
    return this.sql.exec<{ value: string }>("SELECT value FROM alert_settings WHERE key = ?", key).toArray()[0]?.value;
  }

  private setSetting(key: string, value: string): void {
    this.sql.exec(
      "INSERT INTO alert_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      key,
      value,
    );
  }
}

function toAlert(row: AlertRow): Alert {
  return {
    kind: row.kind as AlertKind,
    since: row.since,
    ...(row.cleared_at !== null && { clearedAt: row.cleared_at }),
    value: row.value,
    message: row.message,
  };
}
