import { DurableObject } from "cloudflare:workers";
import {
  type ApiToken,
  type AuditEntry,
  DeviceListQuerySchema,
  type DevicePage,
  type DeviceSummary,
  type FleetSettings,
  type FleetSettingsChange,
  FleetSettingsSchema,
  type KeyRotation,
  type OpenEnrollment,
  type Scope,
} from "@jetson/protocol";
import { LIVE_DEVICE_HEADER, LIVE_PAGE_HEADER, LIVE_SESSION_HEADER, LiveChannel } from "../dashboard/live-channel.js";
import { statusOf } from "../dashboard/view/fleet-rows.js";
import { fleetDevice, PING, PONG } from "../dashboard/live-messages.js";
import { type DashboardSession, SESSION_SCHEMA, SessionTable } from "../dashboard/session-table.js";
import type { Env } from "../env.js";
import { AUDIT_DAYS_SCHEMA, AuditDayIndex } from "../audit/audit-day-index.js";
import { AUDIT_LIMITS, LEGACY_DAY } from "../audit/audit-days.js";
import { type AuditEnd, type AuditSlice, AuditTable } from "../audit/audit-table.js";
import { LEGACY_AUDIT_SCHEMA } from "./legacy-audit.js";
import { ENROLLMENT_SCHEMA, EnrollmentTable, type Redemption } from "./enrollment-table.js";
import { RateLimiter } from "../rate-limiter.js";
import { type RotationOutcome, SETTINGS_SCHEMA, SettingsTable } from "./settings-table.js";
import { SPENT_CONFIRMATIONS_SCHEMA, SpentConfirmations } from "./spent-confirmations.js";
import { TOKEN_SCHEMA, TokenTable, type TokenRevocation } from "./token-table.js";
import { LISTEN_PATH, LISTEN_TOKEN_HEADER, ListenChannel } from "./listen-channel.js";
import { changedUris } from "./summary-changes.js";
import type { DesiredState, DesiredStateRule, FleetRunBrief } from "@jetson/protocol";
import { deviceAttributes } from "../fleet-ops/attributes.js";
import { type DevicePageRequest, pageRequest } from "./device-query.js";
import { type ChosenDevice, type DeviceDrift, DEVICES_SCHEMA, DeviceTable, type FleetPage } from "./device-table.js";
import { DESIRED_RULES_SCHEMA, DesiredRules, desiredBasis, type EffectiveDesiredState } from "../fleet-ops/desired-rules.js";
import { RUN_INDEX_SCHEMA, RunIndex } from "../fleet-ops/run-index.js";
import type { Selector, TermPrefix } from "../fleet-ops/selector.js";
import { LazyTables } from "../lazy-tables.js";

/** Requests per second each API token may make, with a burst allowance, unless the Worker's vars say otherwise. */
const TOKEN_RATE = { perSecond: 20, burst: 60 };

/** Every table a fleet has; `devices` first, since its table marks a fleet that exists. */
export const REGISTRY_SCHEMAS = [
  DEVICES_SCHEMA,
  TOKEN_SCHEMA,
  ENROLLMENT_SCHEMA,
  LEGACY_AUDIT_SCHEMA,
  SESSION_SCHEMA,
  DESIRED_RULES_SCHEMA,
  RUN_INDEX_SCHEMA,
  SETTINGS_SCHEMA,
  AUDIT_DAYS_SCHEMA,
  SPENT_CONFIRMATIONS_SCHEMA,
];

/** What a query of the audit trail visits: the days with rows, newest first, and whether rows from before shards are left. */
export interface AuditIndex {
  days: number[];
  legacy: boolean;
}

export type TokenCheck =
  | { ok: true; id: string; scopes: Scope[] }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

/**
 * One fleet: its devices (kept current by each device's object, so the fleet
 * is listed without waking devices), API tokens, enrollment codes, and the index of the
 * audit trail's days (the rows live in ../audit/'s day shards).
 */
export class RegistryObject extends DurableObject<Env> {
  private readonly tokens: TokenTable;
  private readonly enrollments: EnrollmentTable;
  private readonly legacyAudit: AuditTable;
  private readonly auditDays: AuditDayIndex;
  private readonly limiter: RateLimiter;
  private readonly sessions: SessionTable;
  private readonly live: LiveChannel;
  private readonly listeners: ListenChannel;
  private readonly desiredRules: DesiredRules;
  private readonly runs: RunIndex;
  private readonly settingsTable: SettingsTable;
  private readonly tables: LazyTables;
  private readonly devices: DeviceTable;
  private readonly confirmations: SpentConfirmations;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    this.tokens = new TokenTable(sql);
    this.enrollments = new EnrollmentTable(sql);
    this.legacyAudit = new AuditTable(sql, LEGACY_DAY);
    this.auditDays = new AuditDayIndex(sql);
    this.sessions = new SessionTable(sql);
    this.live = new LiveChannel(ctx);
    this.listeners = new ListenChannel(ctx);
    this.desiredRules = new DesiredRules(sql);
    this.runs = new RunIndex(sql);
    this.settingsTable = new SettingsTable(sql);
    this.devices = new DeviceTable(sql);
    this.confirmations = new SpentConfirmations(sql);
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

  /** Keeps the device's summary; answers the basis of its desired state (see desiredBasis), for the device to compare. */
  async upsert(summary: DeviceSummary): Promise<{ desiredBasis: string }> {
    this.tables.ensure();
    const before = this.listeners.open ? this.devices.get(summary.id) : undefined;
    const statusBefore = this.devices.write(summary);
    const now = Date.now();
    this.live.broadcast({ type: "upsert", device: fleetDevice(summary) }, now);
    if (statusBefore !== statusOf(summary)) this.live.broadcastCounts(() => this.devices.counts(), now);
    if (this.listeners.open) this.listeners.announceUpdated(changedUris(summary.id, before, summary), now);
    return { desiredBasis: desiredBasis(deviceAttributes(summary), this.desiredRules.revision) };
  }

  async remove(id: string): Promise<void> {
    const before = this.listeners.open && this.tables.exist ? this.devices.get(id) : undefined;
    const removed = this.tables.exist && this.devices.remove(id);
    const now = Date.now();
    this.live.broadcast({ type: "remove", id }, now);
    if (removed) this.live.broadcastCounts(() => this.devices.counts(), now);
    if (before) this.listeners.announceUpdated(changedUris(id, before, undefined), now);
  }

  /** One page of the fleet, in id order, filtered by indexed columns. */
  async list(request: DevicePageRequest): Promise<DevicePage> {
    return this.tables.exist ? this.devices.page(request.filter, request.after, request.limit) : { devices: [], total: 0 };
  }

  /** A page of the devices that drift from their desired state, from an indexed column: no other summary is read. */
  async drifting(after?: string): Promise<FleetPage<DeviceDrift>> {
    return this.tables.exist ? this.devices.drifting(after) : { devices: [] };
  }

  /** For each term, the values of its key in the fleet that start with its prefix: what completions offer, from indexed columns, in one request. */
  async termValues(terms: readonly TermPrefix[], limit: number): Promise<string[][]> {
    return this.tables.exist ? this.devices.termValues(terms, limit) : terms.map(() => []);
  }

  async has(id: string): Promise<boolean> {
    return this.tables.exist && this.devices.has(id);
  }

  // ---- fleet operations: selectors, desired-state rules, the run index (../fleet-ops) ----

  /**
   * A page of the devices a selector chooses, as selectors read them (with `canary`, whether that selector chooses
   * each too), answered in SQL from their indexed columns: no device is woken, no summary parsed but those chosen.
   */
  async select(selector: Selector, after?: string, canary?: Selector): Promise<FleetPage<ChosenDevice>> {
    return this.tables.exist ? this.devices.select(selector, after, canary) : { devices: [] };
  }

  /** Undefined, writing nothing, when the rule is new and the fleet holds MAX_DESIRED_RULES already. */
  async setDesiredRule(selector: Selector, state: DesiredState, by: string): Promise<DesiredStateRule | undefined> {
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

  /** Those of these token ids that are live: a device object asks before it delivers commands queued under them. */
  async liveTokens(ids: string[]): Promise<string[]> {
    return this.tables.exist ? this.tokens.live(ids) : [];
  }

  /** A revoked token's dashboard sessions and listen streams end with it; the fleet's last live admin token is kept (see TokenTable.revoke). */
  async revokeToken(id: string): Promise<TokenRevocation> {
    const outcome = this.tokens.revoke(id, Date.now());
    if (outcome === "revoked") {
      this.sessions.deleteForToken(id);
      this.live.endToken(id);
      this.listeners.endToken(id);
    }
    return outcome;
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

  /**
   * Charges an OAuth grant the `served` requests the Worker's cache answered since its last check, on the same
   * per-caller limit as a token's under the grant's own key, and says whether it may make another. The provider
   * checks its own tokens; this is only their rate (oauth/mcp-handler.ts).
   */
  async chargeGrant(key: string, served: number): Promise<TokenCheck> {
    const allowed = this.limiter.charge(key, Date.now(), served);
    return allowed.ok ? { ok: true, id: key, scopes: [] } : { ok: false, reason: "rate_limited", retryAfterSeconds: allowed.retryAfterSeconds };
  }

  // ---- dashboard sessions and their live channel ----

  /** A token's newest session. Those it takes the place of (past MAX_SESSIONS_PER_TOKEN) end as signing out ends them; their hashes are answered, for the Worker to forget. */
  async createSession(hash: string, session: DashboardSession): Promise<string[]> {
    const replaced = this.sessions.insert(hash, session, Date.now());
    for (const ended of replaced) this.live.endSession(ended, "replaced by a newer sign-in");
    return replaced;
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
    this.live.endSession(hash, "signed out");
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
    const now = Date.now();
    const session = this.tables.exist ? this.sessions.find(hash, now) : undefined;
    if (request.headers.get("Upgrade") !== "websocket" || !session) return new Response("Not found", { status: 404 });
    const device = request.headers.get(LIVE_DEVICE_HEADER);
    if (device !== null) {
      const watched = this.devices.get(device);
      return this.live.open(hash, session, { type: "snapshot", devices: watched ? [fleetDevice(watched)] : [] }, { device }, now);
    }
    const asked = pageRequest(DeviceListQuerySchema.parse(JSON.parse(request.headers.get(LIVE_PAGE_HEADER) ?? "{}")));
    if (!asked.ok) return new Response(asked.message, { status: 400 });
    const { filter, after, limit } = asked.request;
    const { devices, total, nextCursor } = this.devices.page(filter, after, limit);
    const through = nextCursor === undefined ? undefined : devices.at(-1)?.id;
    const snapshot = { type: "snapshot", devices: devices.map(fleetDevice), page: { total, ...(nextCursor && { nextCursor }), ...this.devices.facets() } } as const;
    return this.live.open(hash, session, snapshot, { ...(after !== undefined && { after }), ...(through !== undefined && { through }) }, now);
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
  async createEnrollment(hash: string, device: string, expiresAt: number, by: string): Promise<boolean> {
    return this.enrollments.insert(hash, device, expiresAt, Date.now(), by);
  }

  async openEnrollments(): Promise<OpenEnrollment[]> {
    return this.tables.exist ? this.enrollments.open(Date.now()) : [];
  }

  /** Voids a device's unused codes; answers how many. */
  async cancelEnrollments(device: string): Promise<number> {
    return this.tables.exist ? this.enrollments.cancel(device, Date.now()) : 0;
  }

  async redeemEnrollment(hash: string): Promise<Redemption> {
    return this.tables.exist ? this.enrollments.redeem(hash, Date.now()) : { ok: false, reason: "unknown" };
  }

  // ---- settings ----

  async spendConfirmation(nonce: string, until: number): Promise<boolean> {
    return this.confirmations.spend(nonce, until, Date.now());
  }

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

  /** Rotates the fleet's update key (see SettingsTable.rotateUpdateKey); the rotation's signature is checked before. */
  async rotateUpdateKey(rotation: KeyRotation): Promise<RotationOutcome> {
    this.tables.ensure();
    return this.settingsTable.rotateUpdateKey(rotation);
  }

  // ---- audit: the index of days with rows (../audit/), and the rows kept here before the trail was sharded ----

  /** A day's shard, before its first row: queries visit only the days named here. */
  async noteAuditDay(day: number): Promise<void> {
    this.tables.ensure();
    this.auditDays.note(day);
  }

  /** The days to visit; rows from before shards count until retention has removed them all. */
  async auditIndex(): Promise<AuditIndex> {
    if (!this.tables.exist) return { days: [], legacy: false };
    const now = Date.now();
    return { days: this.auditDays.days(now), legacy: this.legacyAudit.expire(now - AUDIT_LIMITS.retentionMs) };
  }

  async legacyAuditPage(slice: AuditSlice): Promise<AuditEntry[]> {
    return this.tables.exist ? this.legacyAudit.page(slice) : [];
  }

  /** A row begun before the trail was sharded (a task still running across the upgrade). */
  async completeLegacyAudit(id: number, end: AuditEnd): Promise<void> {
    if (this.tables.exist) this.legacyAudit.complete(id, end);
  }
}
