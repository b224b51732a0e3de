import { DurableObject } from "cloudflare:workers";
import {
  type ApiToken,
  type AuditEntry,
  type AuditQuery,
  type DeviceSummary,
  DeviceSummarySchema,
  type Scope,
} from "@jetson/protocol";
import type { Env } from "../env.js";
import { AUDIT_TABLE, AuditLog } from "./audit-log.js";
import { ENROLLMENT_TABLE, EnrollmentTable, type Redemption } from "./enrollment-table.js";
import { RateLimiter } from "../rate-limiter.js";
import { TOKEN_TABLE, TokenTable } from "./token-table.js";

/** Requests per second each API token may make, with a burst allowance, unless the Worker's vars say otherwise. */
const TOKEN_RATE = { perSecond: 20, burst: 60 };

export type TokenCheck =
  | { ok: true; id: string; scopes: Scope[] }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

/**
 * One fleet: its devices (kept current by each device's object, so the fleet
 * is listed without waking devices), API tokens, enrollment codes and audit trail.
 */
export class RegistryObject extends DurableObject<Env> {
  private readonly tokens: TokenTable;
  private readonly enrollments: EnrollmentTable;
  private readonly audit: AuditLog;
  private readonly limiter: RateLimiter;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    this.tokens = new TokenTable(sql);
    this.enrollments = new EnrollmentTable(sql);
    this.audit = new AuditLog(sql);
    this.limiter = new RateLimiter(
      Number(env.TOKEN_RATE_PER_SECOND ?? TOKEN_RATE.perSecond),
      Number(env.TOKEN_RATE_BURST ?? TOKEN_RATE.burst),
    );
    ctx.blockConcurrencyWhile(async () => {
      sql.exec(`CREATE TABLE IF NOT EXISTS devices (id TEXT PRIMARY KEY, summary TEXT NOT NULL)`);
      sql.exec(TOKEN_TABLE);
      sql.exec(ENROLLMENT_TABLE);
      sql.exec(AUDIT_TABLE);
    });
  }

  // ---- devices ----

  async upsert(summary: DeviceSummary): Promise<void> {
    this.ctx.storage.sql.exec(
      "INSERT INTO devices (id, summary) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET summary = excluded.summary",
      summary.id,
      JSON.stringify(summary),
    );
  }

  async remove(id: string): Promise<void> {
    this.ctx.storage.sql.exec("DELETE FROM devices WHERE id = ?", id);
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

  // ---- API tokens ----

  async createToken(id: string, name: string, hash: string, scopes: Scope[]): Promise<ApiToken> {
    return this.tokens.insert(id, name, hash, scopes, Date.now());
  }

  async listTokens(): Promise<ApiToken[]> {
    return this.tokens.list();
  }

  async revokeToken(id: string): Promise<boolean> {
    return this.tokens.revoke(id, Date.now());
  }

  /** Finds a live token by hash and charges it one request. */
  async checkToken(hash: string): Promise<TokenCheck> {
    const token = this.tokens.find(hash);
    if (!token) return { ok: false, reason: "invalid" };
    const allowed = this.limiter.take(token.id, Date.now());
    return allowed.ok ? { ok: true, ...token } : { ok: false, reason: "rate_limited", retryAfterSeconds: allowed.retryAfterSeconds };
  }

  // ---- enrollment ----

  async createEnrollment(hash: string, device: string, expiresAt: number): Promise<void> {
    this.enrollments.insert(hash, device, expiresAt);
  }

  async redeemEnrollment(hash: string): Promise<Redemption> {
    return this.enrollments.redeem(hash, Date.now());
  }

  // ---- audit ----

  async recordAudit(entry: Omit<AuditEntry, "id">): Promise<void> {
    this.audit.append(entry);
  }

  async queryAudit(query: AuditQuery): Promise<AuditEntry[]> {
    return this.audit.query(query);
  }
}
