import type { AuditEntry, AuditPage, AuditQuery } from "@jetson/protocol";
import type { Env } from "../env.js";
import { AUDIT_LIMITS, dayOf, dayOfId, dayStart, LEGACY_DAY, shardName } from "./audit-days.js";
import { AuditPageGathering } from "./audit-page.js";
import type { AuditEnd, AuditSlice, AuditStart } from "./audit-table.js";

/**
 * A fleet's audit trail as the Worker and the device objects use it: rows go to the shard of
 * their day, an id goes back to the object that holds it, and queries walk the days newest first.
 */
export class AuditTrail {
  constructor(
    private readonly env: Env,
    private readonly fleet: string,
  ) {}

  /** An attempt decided at once (a refusal, or a command the device's object itself sent and awaited). */
  async record(entry: Omit<AuditEntry, "id">): Promise<void> {
    await this.append(entry);
  }

  /** The row of a command about to be sent; complete() records its outcome, whenever that comes. */
  async begin(entry: AuditStart): Promise<number> {
    return this.append({ ...entry, outcome: "pending", durationMs: 0 });
  }

  /** Records a pending row's outcome, once, in the object its id names (also after the day has turned). */
  async complete(id: number, end: AuditEnd): Promise<void> {
    const day = dayOfId(id);
    if (day === LEGACY_DAY) await this.registry().completeLegacyAudit(id, end);
    else await this.shard(day).complete(id, end);
  }

  /**
   * One page, newest first by (at, id). The days are disjoint in time, so the walk asks day after day (1, then 2,
   * then 4 at once, for sparse filters) only until the page is known (AuditPageGathering): the days asked at once share
   * the bytes a page has left, so many days of large rows pull no more than one page's worth, and fewer days are asked
   * at once once their rows come back large (a day stopped by its share ends the page there). Rows from before shards
   * may lie anywhere in time, so they are always asked (only while there are any), last, with the bytes left.
   */
  async query(query: AuditQuery): Promise<AuditPage> {
    const { cursor, ...filters } = query;
    const from = Math.max(filters.from ?? 0, Date.now() - AUDIT_LIMITS.retentionMs);
    const slice: AuditSlice = { ...filters, from, after: cursor, limit: query.limit + 1 };
    const newest = Math.min(filters.to ?? Infinity, cursor?.at ?? Infinity);
    const registry = this.registry();
    const index = await registry.auditIndex();
    const days = index.days.filter((day) => dayStart(day) <= newest && dayStart(day + 1) > from);
    const gathering = new AuditPageGathering(query.limit);
    let next = 0;
    for (let batch = 1; next < days.length && !gathering.full; ) {
      const asked = days.slice(next, next + batch);
      const share = Math.floor(gathering.spare / asked.length);
      const pages = await Promise.all(asked.map((day) => this.shard(day).page(day, { ...slice, maxBytes: share })));
      const perDay = pages.reduce((bytes, page) => bytes + gathering.add(page, share), 0) / asked.length;
      next += asked.length;
      // Twice as many days while they come back light; once they come back large, as many as would fill what is left at that size.
      const wouldFill = perDay > 0 ? Math.floor(gathering.spare / perDay) : Infinity;
      batch = Math.max(1, Math.min(batch * 2, wouldFill));
    }
    if (index.legacy) {
      const share = gathering.spare;
      gathering.add(await registry.legacyAuditPage({ ...slice, maxBytes: share }), share);
    }
    const unasked = days[next];
    return gathering.page(unasked === undefined ? undefined : dayStart(unasked + 1));
  }

  private async append(entry: Omit<AuditEntry, "id">): Promise<number> {
    const day = dayOf(entry.at);
    return this.shard(day).append(this.fleet, day, entry);
  }

  private shard(day: number) {
    return this.env.AUDIT_SHARD.get(this.env.AUDIT_SHARD.idFromName(shardName(this.fleet, day)));
  }

  private registry() {
    return this.env.REGISTRY.get(this.env.REGISTRY.idFromName(this.fleet));
  }
}
