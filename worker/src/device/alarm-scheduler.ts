import type { Schema } from "../sqlite-migrations.js";

/** Runs at `now`; returns when it wants to run next, or undefined when it has nothing left to do. */
export type Duty = (now: number) => Promise<number | undefined> | number | undefined;

export const ALARM_SCHEMA: Schema = {
  name: "alarm_duties",
  migrations: ["CREATE TABLE IF NOT EXISTS alarm_duties (name TEXT PRIMARY KEY, due INTEGER NOT NULL)"],
};
const BRING_FORWARD = `
  INSERT INTO alarm_duties (name, due) VALUES (?, ?)
  ON CONFLICT (name) DO UPDATE SET due = excluded.due WHERE excluded.due < alarm_duties.due
`;
/** A failed duty is tried again after this long rather than stalling the others. */
const RETRY_MS = 60_000;
/** A duty asking for a time already past runs on the next alarm, not in a tight loop. */
const MIN_GAP_MS = 1_000;

/**
 * A Durable Object has one alarm; this shares it between duties. Each duty's
 * next due time is a row, so it survives eviction, and the alarm is set to the
 * earliest row, as partywhen does with its task table.
 */
export class AlarmScheduler<Name extends string> {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly duties: Record<Name, Duty>,
  ) {}

  /** Makes a duty run no later than `at`; an earlier due time stands, since every duty works out its own next time. */
  async ensure(name: Name, at: number): Promise<void> {
    if (this.storage.sql.exec(BRING_FORWARD, name, at).rowsWritten > 0) await this.arm();
  }

  /**
   * The alarm handler: runs every due duty, then sets the alarm to the earliest next due time.
   * The alarm firing means the earliest duty is due, even if the clock says a little early
   * (as when a test runs the alarm by hand after moving stored times back).
   */
  async run(now: number): Promise<void> {
    const due = this.storage.sql
      .exec<{ name: string }>("SELECT name FROM alarm_duties WHERE due <= max(?, (SELECT min(due) FROM alarm_duties)) ORDER BY due", now)
      .toArray();
    for (const { name } of due) {
      // Claimed before it runs: an ensure() made while it awaits survives if earlier than what the duty returns.
      this.storage.sql.exec("DELETE FROM alarm_duties WHERE name = ?", name);
      const next = await this.runDuty(name, now);
      if (next !== undefined) this.storage.sql.exec(BRING_FORWARD, name, Math.max(next, now + MIN_GAP_MS));
    }
    await this.arm();
  }

  private async runDuty(name: string, now: number): Promise<number | undefined> {
    if (!Object.hasOwn(this.duties, name)) return undefined;
    try {
      return await this.duties[name as Name](now);
    } catch (error) {
      console.error(`alarm duty ${name} failed`, error);
      return now + RETRY_MS;
    }
  }

  private async arm(): Promise<void> {
    const next = this.storage.sql.exec<{ due: number | null }>("SELECT min(due) AS due FROM alarm_duties").one().due;
    if (next === null) return this.storage.deleteAlarm();
    if ((await this.storage.getAlarm()) !== next) await this.storage.setAlarm(next);
  }
}
