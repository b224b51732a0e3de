import { DurableObject } from "cloudflare:workers";
import type { AuditEntry } from "@jetson/protocol";
import type { Env } from "../env.js";
import { LazyTables } from "../lazy-tables.js";
import { AUDIT_LIMITS, dayOfId, dropAt } from "./audit-days.js";
import { AUDIT_SHARD_SCHEMA, type AuditEnd, type AuditSlice, AuditTable } from "./audit-table.js";

/**
 * One UTC day of one fleet's audit trail (audit-days.ts says why by day). Its alarm deletes it
 * whole once the day has left the retention window. Tables come with the first row, so a query
 * naming an empty day stores nothing.
 */
export class AuditShardObject extends DurableObject<Env> {
  private tables: LazyTables;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.tables = new LazyTables(ctx.storage, "audit", [AUDIT_SHARD_SCHEMA]);
    ctx.blockConcurrencyWhile(async () => this.tables.migrateIfPresent());
  }

  /** Writes a row of `day` (the day of its `at`); answers its entry id. */
  async append(fleet: string, day: number, entry: Omit<AuditEntry, "id">): Promise<number> {
    if (!this.tables.exist) await this.open(fleet, day);
    const table = new AuditTable(this.ctx.storage.sql, day);
    const id = table.insert(entry);
    table.trim(id, AUDIT_LIMITS.maxRowsPerDay);
    return id;
  }

  /** Records a pending row's outcome, once; nothing when the day has been dropped. */
  async complete(id: number, end: AuditEnd): Promise<void> {
    if (this.tables.exist) new AuditTable(this.ctx.storage.sql, dayOfId(id)).complete(id, end);
  }

  async page(day: number, slice: AuditSlice): Promise<AuditEntry[]> {
    return this.tables.exist ? new AuditTable(this.ctx.storage.sql, day).page(slice) : [];
  }

  /** The day left the retention window: every row goes, and the object's storage with them. */
  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
    this.tables = new LazyTables(this.ctx.storage, "audit", [AUDIT_SHARD_SCHEMA]);
  }

  /** The day's first row: the fleet's index learns the day first (queries visit only the days it names), then the alarm that drops it, then the tables. */
  private async open(fleet: string, day: number): Promise<void> {
    await this.env.REGISTRY.get(this.env.REGISTRY.idFromName(fleet)).noteAuditDay(day);
    await this.ctx.storage.setAlarm(dropAt(day));
    this.tables.ensure();
  }
}
