import type { DeviceSummary } from "@jetson/protocol";
import { changedUris } from "../registry/summary-changes.js";
import type { AlarmScheduler } from "./alarm-scheduler.js";
import type { Published } from "./store.js";

/**
 * Figures alone (the telemetry brief, last seen, an active alert's refreshed value) reach the
 * registry at most this often: at 10,000 devices batching every 5 s, one upsert per batch would
 * be 2,000 requests per second into the fleet's one registry object.
 */
export const FIGURES_EVERY_MS = 60_000;

/**
 * After a send that failed (the fleet's registry overloaded, as when a whole fleet reconnects after a
 * deploy), the object's alarm sends the summary again after this long plus up to as much again at
 * random, so that the fleet's devices do not all come back at once.
 */
export const RETRY_AFTER_MS = 5_000;

/** The Worker var that sets FIGURES_EVERY_MS (tests and benchmarks shorten it). */
export function figuresEveryMs(setting: string | undefined): number {
  if (setting === undefined) return FIGURES_EVERY_MS;
  const ms = Number(setting);
  if (!Number.isInteger(ms) || ms <= 0) throw new Error(`SUMMARY_FIGURES_EVERY_MS must be a positive whole number of milliseconds, not "${setting}"`);
  return ms;
}

/** Where the last published summary is kept (the device's `meta` table). */
export interface PublishedRecord {
  published(): Published | undefined;
  setPublished(published: Published): void;
}

/**
 * Keeps the fleet registry's copy of the device's summary. What listing, selecting, alerts and
 * subscriptions act on goes at once: the same aspects MCP listeners hear about (summary-changes.ts:
 * presence, online, alerts raised or cleared, state with power mode and versions, tags, drift).
 * Figures alone wait for the `publish` duty of the object's alarm, so the last of them is sent too.
 *
 * Telemetry comes many times a minute, so what each batch needs is kept in memory: the last summary
 * sent (read from storage once per object life), whether the registry has every change but figures,
 * and the due time of the duty already set. A rebuilt object starts with none and works them out again.
 */
export class SummaryPublisher {
  #last: Published | undefined;
  /**
   * The registry has every change but figures: each such change is sent by `publish`, so only a send that
   * failed, or one still on its way, leaves one behind. Unknown (false) until a send or a comparison shows it.
   */
  #current = false;
  /** Sends begun in this object's life: only the newest one's success makes the registry current. */
  #begun = 0;
  /** The `publish` duty's due time this object set, until the duty runs. */
  #held: number | undefined;

  constructor(
    private readonly summary: () => Promise<DeviceSummary | undefined>,
    private readonly upsert: (summary: DeviceSummary) => Promise<void>,
    private readonly record: PublishedRecord,
    private readonly scheduler: AlarmScheduler<"publish">,
    private readonly everyMs: number,
  ) {}

  /**
   * Sends the summary now: a caller that changed what matters (identity, presence, tags, state, drift).
   * If nothing a reader acts on differs from what the registry has (a device reports the same state on
   * every connection), what is left are figures, which wait as in `refresh`.
   */
  async publish(): Promise<void> {
    const summary = await this.summary();
    if (!summary) return;
    const last = this.last();
    if (this.#current && last && changedUris(summary.id, last.summary, summary).length === 0) return this.hold(last.at + this.everyMs);
    await this.sendOrRetry(summary, Date.now());
  }

  /**
   * New telemetry: sends at once if it raised or cleared an alert or is the device's first, else no sooner
   * than `everyMs` after the last send. A batch of figures alone, with the registry current, builds no summary.
   */
  async refresh(alertsChanged: boolean): Promise<void> {
    const now = Date.now();
    const last = this.last();
    if (!alertsChanged && this.#current && last?.summary.latest !== undefined && now < last.at + this.everyMs) return this.hold(last.at + this.everyMs);
    const summary = await this.summary();
    if (!summary) return;
    // A device's first figures go at once too: until then the fleet list has none to show for it.
    const figuresOnly = last?.summary.latest !== undefined && changedUris(summary.id, last.summary, summary).length === 0;
    if (figuresOnly && now < last.at + this.everyMs) {
      this.#current = true;
      return this.hold(last.at + this.everyMs);
    }
    await this.sendOrRetry(summary, now);
  }

  /** The `publish` duty: sends what waited, unless a send since has carried it. */
  async flush(now: number): Promise<undefined> {
    this.#held = undefined;
    const summary = await this.summary();
    if (summary && JSON.stringify(summary) !== JSON.stringify(this.last()?.summary)) await this.send(summary, now);
    return undefined;
  }

  private last(): Published | undefined {
    this.#last ??= this.record.published();
    return this.#last;
  }

  private async hold(until: number): Promise<void> {
    if (this.#held === until) return;
    await this.scheduler.ensure("publish", until);
    this.#held = until;
  }

  /**
   * A device's message or connection never fails for the registry: what it carried is stored here
   * already, and the `publish` duty (which sends whatever differs from the last summary sent) tries again.
   */
  private async sendOrRetry(summary: DeviceSummary, now: number): Promise<void> {
    try {
      await this.send(summary, now);
    } catch (error) {
      console.error(`summary of ${summary.id} not sent to the registry; trying again from the alarm`, error);
      await this.scheduler.ensure("publish", now + RETRY_AFTER_MS + Math.floor(Math.random() * RETRY_AFTER_MS));
      this.#held = undefined;
    }
  }

  private async send(summary: DeviceSummary, now: number): Promise<void> {
    const begun = ++this.#begun;
    this.#current = false;
    try {
      await this.upsert(summary);
    } catch (error) {
      this.#current = false;
      throw error;
    }
    const published = { at: now, summary };
    this.record.setPublished(published);
    this.#last = published;
    if (begun === this.#begun) this.#current = true;
  }
}
