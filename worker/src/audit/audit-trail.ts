import { type AuditEntry, type AuditPage, type AuditQuery, encodeAuditCursor } from "@jetson/protocol";
import type { Env } from "../env.js";
import { jsonBytes } from "./audit-bounds.js";
import { AUDIT_LIMITS, dayOf, dayOfId, dayStart, LEGACY_DAY, shardName } from "./audit-days.js";
import type { AuditEnd, AuditSlice, AuditStart } from "./audit-table.js";

const newestFirst = (a: AuditEntry, b: AuditEntry): number => b.at - a.at || b.id - a.id;

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
   * One page, newest first by (at, id). The days are disjoint in time, so the walk asks day after
   * day (1, then 2, then 4 at once, for sparse filters) only until more than a page is known to be
   * newer than everything in the days not asked yet. Rows from before shards may lie anywhere in
   * time, so they are always asked (only while there are any). A page stops early, with its cursor,
   * at AUDIT_LIMITS.maxPageBytes.
   */
  async query(query: AuditQuery): Promise<AuditPage> {
    const { cursor, ...filters } = query;
    const from = Math.max(filters.from ?? 0, Date.now() - AUDIT_LIMITS.retentionMs);
    const slice: AuditSlice = { ...filters, from, after: cursor, limit: query.limit + 1 };
    const newest = Math.min(filters.to ?? Infinity, cursor?.at ?? Infinity);
    const registry = this.registry();
    const index = await registry.auditIndex();
    const days = index.days.filter((day) => dayStart(day) <= newest && dayStart(day + 1) > from);
    const found: AuditEntry[] = index.legacy ? await registry.legacyAuditPage(slice) : [];
    for (let next = 0, batch = 1; next < days.length; next += batch, batch *= 2) {
      const newerThanRest = dayStart((days[next] ?? 0) + 1);
      if (found.filter((entry) => entry.at >= newerThanRest).length > query.limit) break;
      const pages = await Promise.all(days.slice(next, next + batch).map((day) => this.shard(day).page(day, slice)));
      found.push(...pages.flat());
    }
    found.sort(newestFirst);
    const entries: AuditEntry[] = [];
    let bytes = 0;
    for (const entry of found.slice(0, query.limit)) {
      bytes += jsonBytes(entry);
      if (bytes > AUDIT_LIMITS.maxPageBytes && entries.length > 0) break;
      entries.push(entry);
    }
    const last = entries.at(-1);
    return found.length > entries.length && last ? { entries, nextCursor: encodeAuditCursor({ at: last.at, id: last.id }) } : { entries };
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
