import { DurableObject } from "cloudflare:workers";
import { type DeviceSummary, DeviceSummarySchema } from "@jetson/protocol";
import type { Env } from "../env.js";

/**
 * The devices of one fleet, kept current by each device's object, so the fleet
 * can be listed and searched without waking every device.
 */
export class RegistryObject extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS devices (id TEXT PRIMARY KEY, summary TEXT NOT NULL)`);
    });
  }

  async upsert(summary: DeviceSummary): Promise<void> {
    this.ctx.storage.sql.exec(
      "INSERT INTO devices (id, summary) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET summary = excluded.summary",
      summary.id,
      JSON.stringify(summary),
    );
  }

  async list(): Promise<DeviceSummary[]> {
    return this.ctx.storage.sql
      .exec<{ summary: string }>("SELECT summary FROM devices ORDER BY id")
      .toArray()
      .map((row) => DeviceSummarySchema.parse(JSON.parse(row.summary)));
  }

  async has(id: string): Promise<boolean> {
    return this.ctx.storage.sql.exec("SELECT 1 FROM devices WHERE id = ?", id).toArray().length > 0;
  }
}
