import { DurableObject } from "cloudflare:workers";
import {
  type ApiToken,
  type AuditEntry,
  type AuditQuery,
  type DeviceSummary,
  DeviceSummarySchema,
  type FleetSettings,
  type FleetSettingsChange,
  FleetSettingsSchema,
  type Scope,
} from "@jetson/protocol";
import { LIVE_DEVICE_HEADER, LIVE_SESSION_HEADER, LiveChannel } from "../dashboard/live-channel.js";
import { fleetDevice, PING, PONG } from "../dashboard/live-messages.js";
import { type DashboardSession, SESSION_SCHEMA, SessionTable } from "../dashboard/session-table.js";
import type { Env } from "../env.js";
import { AUDIT_SCHEMA, type AuditEnd, AuditLog, type AuditStart } from "./audit-log.js";
import { ENROLLMENT_SCHEMA, EnrollmentTable, type Redemption } from "./enrollment-table.js";
import { RateLimiter } from "../rate-limiter.js";
import { SETTINGS_SCHEMA, SettingsTable } from "./settings-table.js";
import { TOKEN_SCHEMA, TokenTable } from "./token-table.js";
import { LISTEN_PATH, LISTEN_TOKEN_HEADER, ListenChannel } from "./listen-channel.js";
import { changedUris } from "./summary-changes.js";
import type { DesiredState, DesiredStateRule, FleetRunBrief } from "@jetson/protocol";
import { deviceAttributes } from "../fleet-ops/attributes.js";
import { DESIRED_RULES_SCHEMA, DesiredRules, type EffectiveDesiredState } from "../fleet-ops/desired-rules.js";
import { RUN_INDEX_SCHEMA, RunIndex } from "../fleet-ops/run-index.js";
import { type Selector, selects } from "../fleet-ops/selector.js";
import { LazyTables } from "../lazy-tables.js";
import type { Schema } from "../sqlite-migrations.js";

/** Requests per second each API token may make, with a burst allowance, unless the Worker's vars say otherwise. */
const TOKEN_RATE = { perSecond: 20, burst: 60 };

/** The fleet's devices as their objects last reported them. */
const DEVICES_SCHEMA: Schema = {
  name: "devices",
  migrations: ["CREATE TABLE IF NOT EXISTS devices (id TEXT PRIMARY KEY, summary TEXT NOT NULL)"],
};

/** Every table a fleet has; `devices` first, since its table marks a fleet that exists. */
export const REGISTRY_SCHEMAS = [
  DEVICES_SCHEMA,
  TOKEN_SCHEMA,
  ENROLLMENT_SCHEMA,
  AUDIT_SCHEMA,
  SESSION_SCHEMA,
  DESIRED_RULES_SCHEMA,
  RUN_INDEX_SCHEMA,
  SETTINGS_SCHEMA,
];

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
  private readonly sessions: SessionTable;
  private readonly live: LiveChannel;
  private readonly listeners: ListenChannel;
  private readonly desiredRules: DesiredRules;
  private readonly runs: RunIndex;
  private readonly settingsTable: SettingsTable;
  private readonly tables: LazyTables;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    this.tokens = new TokenTable(sql);
    this.enrollments = new EnrollmentTable(sql);
    this.audit = new AuditLog(sql);
    this.sessions = new SessionTable(sql);
    this.live = new LiveChannel(ctx);
    this.listeners = new ListenChannel(ctx);
    this.desiredRules = new DesiredRules(sql);
    this.runs = new RunIndex(sql);
    this.settingsTable = new SettingsTable(sql);
    // Dashboards keep their sockets open with pings; answering them must not wake the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
    this.limiter = new RateLimiter(
      Number(env.TOKEN_RATE_PER_SECOND ?? TOKEN_RATE.perSecond),
      Number(env.TOKEN_RATE_BURST ?? TOKEN_RATE.burst),
    );
    this.tables = new LazyTables(ctx.storage, "devices", REGISTRY_SCHEMAS);
    // A fleet gets its tables with its first token (createToken); a made-up fleet's name creates nothing.
    ctx.blockConcurrencyWhile(async () => this.tables.migrateIfPresent());
  }

  // ---- devices ----

  async upsert(summary: DeviceSummary): Promise<void> {
    this.tables.ensure();
    const before = this.listeners.open ? this.stored(summary.id) : undefined;
    this.ctx.storage.sql.exec(
      "INSERT INTO devices (id, summary) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET summary = excluded.summary",
      summary.id,
      JSON.stringify(summary),
    );
    this.live.broadcast({ type: "upsert", device: fleetDevice(summary) }, Date.now());
    if (this.listeners.open) this.listeners.announceUpdated(changedUris(summary.id, before, summary), Date.now());
  }

  async remove(id: string): Promise<void> {
    const before = this.listeners.open && this.tables.exist ? this.stored(id) : undefined;
    this.ctx.storage.sql.exec("DELETE FROM devices WHERE id = ?", id);
    this.live.broadcast({ type: "remove", id }, Date.now());
    if (before) this.listeners.announceUpdated(changedUris(id, before, undefined), Date.now());
  }

  private stored(id: string): DeviceSummary | undefined {
    const row = this.ctx.storage.sql.exec<{ summary: string }>("SELECT summary FROM devices WHERE id = ?", id).toArray()[0];
    return row && DeviceSummarySchema.parse(JSON.parse(row.summary));
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

  // ---- fleet operations: selectors, desired-state rules, the run index (../fleet-ops) ----

  /** The devices a selector chooses, from their summaries alone: no device is woken. */
  async select(selector: Selector): Promise<DeviceSummary[]> {
    return (await this.list()).filter((summary) => selects(selector, deviceAttributes(summary)));
  }

  async setDesiredRule(selector: Selector, state: DesiredState, by: string): Promise<DesiredStateRule> {
    return this.desiredRules.set(selector, state, Date.now(), by);
  }

  async removeDesiredRule(selector: string): Promise<boolean> {
    return this.desiredRules.remove(selector);
  }

  async listDesiredRules(): Promise<DesiredStateRule[]> {
    return this.desiredRules.list();
  }

  async desiredFor(summary: DeviceSummary): Promise<EffectiveDesiredState> {
    return this.desiredRules.forDevice(deviceAttributes(summary));
  }

  async noteRun(brief: FleetRunBrief): Promise<void> {
    this.runs.note(brief);
  }

  async listRuns(limit: number): Promise<FleetRunBrief[]> {
    return this.runs.list(limit);
  }

  async hasRun(id: string): Promise<boolean> {
    return this.runs.has(id);
  }

  // ---- API tokens ----

  async createToken(id: string, name: string, hash: string, scopes: Scope[]): Promise<ApiToken> {
    this.tables.ensure();
    return this.tokens.insert(id, name, hash, scopes, Date.now());
  }

  /** The fleet's first token, checked and written in one step; undefined when the fleet has had a token already. */
  async createFirstToken(id: string, name: string, hash: string, scopes: Scope[]): Promise<ApiToken | undefined> {
    this.tables.ensure();
    return this.tokens.empty() ? this.tokens.insert(id, name, hash, scopes, Date.now()) : undefined;
  }

  async listTokens(): Promise<ApiToken[]> {
    return this.tokens.list();
  }

  /** A revoked token's dashboard sessions and listen streams end with it. */
  async revokeToken(id: string): Promise<boolean> {
    const revoked = this.tokens.revoke(id, Date.now());
    if (revoked) {
      this.sessions.deleteForToken(id);
      this.live.endToken(id);
      this.listeners.endToken(id);
    }
    return revoked;
  }

  /**
   * Finds a live token by hash, charges it the `served` requests the Worker's cache answered since its last check
   * (this one is charged with the next ones), and says whether it may make another.
   */
  async checkToken(hash: string, served: number): Promise<TokenCheck> {
    const token = this.tables.exist ? this.tokens.find(hash) : undefined;
    if (!token) return { ok: false, reason: "invalid" };
    const allowed = this.limiter.charge(token.id, Date.now(), served);
    return allowed.ok ? { ok: true, ...token } : { ok: false, reason: "rate_limited", retryAfterSeconds: allowed.retryAfterSeconds };
  }

  // ---- dashboard sessions and their live channel ----

  async createSession(hash: string, session: DashboardSession): Promise<void> {
    this.sessions.insert(hash, session, Date.now());
  }

  /** Finds a live session by hash and charges its token as `checkToken` would, as requests with the token itself would be. */
  async checkSession(hash: string, served: number): Promise<TokenCheck> {
    const now = Date.now();
    const session = this.tables.exist ? this.sessions.find(hash, now) : undefined;
    if (!session) return { ok: false, reason: "invalid" };
    const allowed = this.limiter.charge(session.tokenId, now, served);
    return allowed.ok
      ? { ok: true, id: session.tokenId, scopes: session.scopes }
      : { ok: false, reason: "rate_limited", retryAfterSeconds: allowed.retryAfterSeconds };
  }

  async endSession(hash: string): Promise<void> {
    if (this.tables.exist) this.sessions.delete(hash);
    this.live.endSession(hash);
  }

  /**
   * A WebSocket: an MCP listen stream's link (the Worker has checked the caller's token and scope),
   * or a dashboard's, forwarded by the Worker once it has checked the session and its scope.
   */
  override async fetch(request: Request): Promise<Response> {
    const listener = request.headers.get(LISTEN_TOKEN_HEADER);
    if (request.headers.get("Upgrade") === "websocket" && this.tables.exist && new URL(request.url).pathname === LISTEN_PATH && listener) {
      return this.listeners.accept(listener, Date.now());
    }
    const hash = request.headers.get(LIVE_SESSION_HEADER) ?? "";
    const session = this.tables.exist ? this.sessions.find(hash, Date.now()) : undefined;
    if (request.headers.get("Upgrade") !== "websocket" || !session) return new Response("Not found", { status: 404 });
    return this.live.open(hash, session, await this.list(), request.headers.get(LIVE_DEVICE_HEADER) ?? undefined);
  }

  /** Pages send nothing but pings, which the auto-response answers; a listen link may publish a change to the fleet's listeners. */
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (this.listeners.owns(ws)) this.listeners.received(ws, message, Date.now());
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      // 1005 means the page sent no code; it may not be sent back.
      ws.close(code === 1005 ? 1000 : code, reason);
    } catch {}
  }

  // ---- enrollment ----

  /** Returns false, storing nothing, when the fleet holds too many open codes already. */
  async createEnrollment(hash: string, device: string, expiresAt: number): Promise<boolean> {
    return this.enrollments.insert(hash, device, expiresAt, Date.now());
  }

  async redeemEnrollment(hash: string): Promise<Redemption> {
    return this.tables.exist ? this.enrollments.redeem(hash, Date.now()) : { ok: false, reason: "unknown" };
  }

  // ---- settings ----

  async settings(): Promise<FleetSettings> {
    return this.tables.exist ? this.settingsTable.read() : FleetSettingsSchema.parse({});
  }

  async updateSettings(changes: FleetSettingsChange): Promise<FleetSettings> {
    this.tables.ensure();
    return this.settingsTable.write(changes);
  }

  /** Pins the fleet's bridge update key once; answers the key the fleet has (another one if it had one already). */
  async pinUpdateKey(publicKey: string): Promise<string | undefined> {
    this.tables.ensure();
    return this.settingsTable.writeOnce("updateKey", publicKey);
  }

  // ---- audit ----

  async recordAudit(entry: Omit<AuditEntry, "id">): Promise<void> {
    this.audit.append(entry, Date.now());
  }

  /** Writes a command's row before it is sent; returns the id completeAudit() takes. */
  async beginAudit(entry: AuditStart): Promise<number> {
    return this.audit.begin(entry, Date.now());
  }

  async completeAudit(id: number, end: AuditEnd): Promise<void> {
    this.audit.complete(id, end);
  }

  async queryAudit(query: AuditQuery): Promise<AuditEntry[]> {
    return this.audit.query(query);
  }
}
