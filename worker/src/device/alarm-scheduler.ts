import type { Schema } from "../sqlite-migrations.js";

/** Runs at `now`; returns when it wants to run next, or undefined when it has nothing left to do. */
export type Duty = (now: number) => Promise<number | undefined> | number | undefined;

/** The earliest of the times several parts of one duty want it again; undefined when none does. */
export function earliest(...dues: Array<number | undefined>): number | undefined {
  const wanted = dues.filter((due) => due !== undefined);
  return wanted.length === 0 ? undefined : Math.min(...wanted);
}

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

/** Duties run outside the alarm handler, and how the object stays alive for them. */
export interface Detached<Name extends string> {
  duties: readonly Name[];
  keepAlive: (work: Promise<void>) => void;
}

/**
 * A Durable Object has one alarm; this shares it between duties. Each duty's
 * next due time is a row, so it survives eviction, and the alarm is set to the
 * earliest row, as partywhen does with its task table.
 *
 * No alarm fires while the handler runs, so a duty that may await a device for
 * minutes runs detached: the handler starts it and returns. While it runs, its
 * row waits (it never runs twice at once) and arms nothing.
 */
export class AlarmScheduler<Name extends string> {
  private readonly detached: ReadonlySet<string>;
  private readonly keepAlive: (work: Promise<void>) => void;
  /** Detached duties now running. */
  private readonly running = new Set<string>();
  /** Replaced by another scheduler (the device's storage was deleted): a detached duty ending plans nothing. */
  private retired = false;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly duties: Record<Name, Duty>,
    { duties: detached, keepAlive }: Detached<NoInfer<Name>> = { duties: [], keepAlive: () => undefined },
  ) {
    this.detached = new Set(detached);
    this.keepAlive = keepAlive;
  }

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
    const waiting = this.waiting();
    const due = waiting.filter((row) => row.due <= Math.max(now, waiting[0]?.due ?? now));
    for (const { name } of due) {
      // Claimed before it runs: an ensure() made while it awaits survives if earlier than what the duty returns.
      this.storage.sql.exec("DELETE FROM alarm_duties WHERE name = ?", name);
      if (this.detached.has(name)) this.detach(name, now);
      else this.plan(name, await this.runDuty(name, now), now);
    }
    await this.arm();
  }

  /** Its storage was deleted: duties still running plan nothing in what comes next. */
  retire(): void {
    this.retired = true;
  }

  private detach(name: string, now: number): void {
    this.running.add(name);
    const work = this.runDuty(name, now).then(async (next) => {
      this.running.delete(name);
      if (this.retired) return;
      this.plan(name, next, Date.now());
      await this.arm();
    });
    this.keepAlive(work.catch((error: unknown) => console.error(`alarm not set after duty ${name}`, error)));
  }

  private plan(name: string, next: number | undefined, now: number): void {
    if (next !== undefined) this.storage.sql.exec(BRING_FORWARD, name, Math.max(next, now + MIN_GAP_MS));
  }

  private async runDuty(name: string, now: number): Promise<number | undefined> {
    if (!Object.hasOwn(this.duties, name)) return undefined;
    try {
      return await this.duties[name as Name](now);
    } catch (error) {
      console.error(`alarm duty ${name} failed`, error);
      return Date.now() + RETRY_MS;
    }
  }

  /** Due times, earliest first, of the duties not running now. */
  private waiting(): Array<{ name: string; due: number }> {
    return this.storage.sql
      .exec<{ name: string; due: number }>("SELECT name, due FROM alarm_duties ORDER BY due")
      .toArray()
      .filter((row) => !this.running.has(row.name));
  }

  private async arm(): Promise<void> {
    const next = this.waiting()[0]?.due;
    if (next === undefined) return this.storage.deleteAlarm();
    if ((await this.storage.getAlarm()) !== next) await this.storage.setAlarm(next);
  }
}
