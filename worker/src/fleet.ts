import {
  type ActionDefinition,
  type ActionErrorBody,
  ALL_SCOPES,
  type ApiToken,
  type AuditPage,
  type AuditQuery,
  type Caller,
  type CommandRecord,
  type ConfirmedBy,
  type FleetSettings,
  type FleetSettingsChange,
  type DeviceListQuery,
  type DevicePage,
  type DeviceSummary,
  DeviceIdSchema,
  type EnrollmentCode,
  findAction,
  noSuchAction,
  type OpenEnrollment,
  parseActionInput,
  type ProvisionedDevice,
  type Scope,
  tunnelPath,
} from "@jetson/protocol";
import { AuditTrail } from "./audit/audit-trail.js";
import { credentialCache } from "./credential-cache.js";
import { hashSecret, newCommandId, newFleetSecret, newSecret } from "./credentials.js";
import { LIVE_DEVICE_HEADER, LIVE_PAGE_HEADER, LIVE_SESSION_HEADER } from "./dashboard/live-channel.js";
import { type DevicePageRequest, pageRequest } from "./registry/device-query.js";
import type { TermPrefix } from "./fleet-ops/selector.js";
import type { InvokeOutcome, InvokeRequest, ProgressListener } from "./device/invoke.js";
import type { Env } from "./env.js";
import type { AlertThresholds, DeviceAlerts, TelemetryRange, TelemetrySeries } from "@jetson/protocol";
import { revokeGrantsApprovedBy } from "./oauth/grants.js";
import { MAX_OPEN_ENROLLMENTS } from "./registry/enrollment-table.js";
import { z } from "zod";
import { hasScope, redact, refusalFor } from "./policy.js";

/** A refusal the caller should see: REST maps the code to a status, MCP to an error result. */
export class FleetError extends Error {
  constructor(
    /** `conflict`: the request is well formed but the fleet's state refuses it. */
    readonly code: "forbidden" | "not_found" | "invalid" | "conflict",
    message: string,
  ) {
    super(message);
  }
}

const NO_SUCH_DEVICE = "No such device in this fleet.";

/** Why these arguments do not fit the action, as the caller reads it; undefined when they do. */
export function invalidArguments(action: ActionDefinition, args: unknown): string | undefined {
  const parsed = parseActionInput(action, args);
  return parsed.success ? undefined : `Invalid arguments for ${action.name}: ${z.prettifyError(parsed.error)}`;
}

/** Why the cloud refuses this call before it becomes a command, or undefined. */
function refusalOf(caller: Caller, call: InvokeCall): ActionErrorBody | undefined {
  const action = findAction(call.action);
  if (!action) return { code: "unknown_action", message: noSuchAction(call.action) };
  const denied = refusalFor(caller, action, call.args, call.confirmedBy !== undefined);
  if (denied) return { code: "permission_denied", message: denied };
  const invalid = invalidArguments(action, call.args);
  return invalid === undefined ? undefined : { code: "invalid_input", message: invalid };
}

export interface InvokeCall extends Omit<InvokeRequest, "requestedBy" | "auditId"> {
  /** The caller's confirmation of a destructive action, and how it was given. */
  confirmedBy?: ConfirmedBy;
  /** What the caller acts through (a fleet run's id), shown beside the caller in the ledger and audit trail. */
  via?: string;
}

/**
 * One fleet's devices as one caller sees them. Every method checks the caller's
 * scope, every lookup goes through the fleet's registry (another fleet's device
 * is indistinguishable from a missing one), and every command is audited.
 */
export class Fleet {
  constructor(
    /** Fleet operations (fleet-ops/) reach the same objects through it. */
    readonly env: Env,
    readonly caller: Caller,
  ) {}

  get id(): string {
    return this.caller.fleet;
  }

  /** One page of the fleet's devices, by id, with the filters the query names. */
  async list(query: DeviceListQuery): Promise<DevicePage> {
    this.require("read");
    return this.registry().list(this.pageRequest(query));
  }

  /** For each term, up to `limit` distinct values of its key in the fleet starting with its prefix, in order: what completions offer. */
  async termValues(terms: readonly TermPrefix[], limit: number): Promise<string[][]> {
    this.require("read");
    return this.registry().termValues(terms, limit);
  }

  /** Up to `limit` device ids starting with `prefix`, in order, from the registry's index. */
  async deviceIds(prefix: string, limit: number): Promise<string[]> {
    const [ids = []] = await this.termValues([{ key: "id", prefix }], limit);
    return ids;
  }

  private pageRequest(query: DeviceListQuery): DevicePageRequest {
    const asked = pageRequest(query);
    if (!asked.ok) throw new FleetError("invalid", asked.message);
    return asked.request;
  }

  async get(deviceId: string): Promise<DeviceSummary> {
    this.require("read");
    await this.mustExist(deviceId);
    const summary = await this.device(deviceId).summary();
    if (!summary) throw new FleetError("not_found", NO_SUCH_DEVICE);
    return summary;
  }

  async commands(deviceId: string, limit: number): Promise<CommandRecord[]> {
    this.require("read");
    await this.mustExist(deviceId);
    return this.device(deviceId).commands(limit);
  }

  async telemetry(deviceId: string, range: TelemetryRange): Promise<TelemetrySeries> {
    this.require("read");
    await this.mustExist(deviceId);
    return this.device(deviceId).telemetryRange(range);
  }

  async alerts(deviceId: string): Promise<DeviceAlerts> {
    this.require("read");
    await this.mustExist(deviceId);
    return this.device(deviceId).alerts();
  }

  async setAlertThresholds(deviceId: string, thresholds: AlertThresholds): Promise<AlertThresholds> {
    this.require("operate");
    await this.mustExist(deviceId);
    return this.device(deviceId).setAlertThresholds(thresholds);
  }

  /** Creates a device (or rotates its credential) and returns its secret, which is stored only as a hash. */
  async provision(deviceId: string): Promise<ProvisionedDevice> {
    this.require("admin");
    return provisionDevice(this.env, this.id, deviceId);
  }

  /** Revokes a device: its live link is closed and its credential refused from now on; its open commands, tunnels and enrollment codes end. */
  async revoke(deviceId: string): Promise<void> {
    this.require("admin");
    await this.mustExist(deviceId);
    // Its codes first: one redeemed while the device is removed would provision it again.
    const voided = await this.registry().cancelEnrollments(deviceId);
    if (voided > 0) await this.auditAdministration(deviceId, "enrollment.cancel", { codes: voided, reason: "the device was removed" });
    await this.device(deviceId).revoke(this.callerName());
    await this.registry().remove(deviceId);
  }

  async createEnrollment(device: string, ttlSeconds: number): Promise<EnrollmentCode> {
    this.require("admin");
    const code = newFleetSecret("enrollment", this.id);
    const expiresAt = Date.now() + ttlSeconds * 1000;
    if (!(await this.registry().createEnrollment(await hashSecret(code), DeviceIdSchema.parse(device), expiresAt, this.callerName()))) {
      throw new FleetError("invalid", `This fleet already has ${MAX_OPEN_ENROLLMENTS} unused enrollment codes; use them or let them expire first.`);
    }
    return { device, code, expiresAt };
  }

  /** The fleet's unused enrollment codes: for which device, until when, made by whom (never a code). */
  async listEnrollments(): Promise<OpenEnrollment[]> {
    this.require("admin");
    return this.registry().openEnrollments();
  }

  /** Voids a device's unused enrollment codes: none of them can be redeemed from now on. */
  async cancelEnrollments(device: string): Promise<void> {
    this.require("admin");
    const cancelled = DeviceIdSchema.safeParse(device).success ? await this.registry().cancelEnrollments(device) : 0;
    if (cancelled === 0) throw new FleetError("not_found", "No unused enrollment code for this device.");
    await this.auditAdministration(device, "enrollment.cancel", { codes: cancelled });
  }

  async createToken(name: string, scopes: Scope[]): Promise<ApiToken & { token: string }> {
    this.require("admin");
    return createFleetToken(this.env, this.id, name, scopes);
  }

  async listTokens(): Promise<ApiToken[]> {
    this.require("admin");
    return this.registry().listTokens();
  }

  /** Revokes a live token; refuses the fleet's last live admin token, without which nobody could administer the fleet. */
  async revokeToken(id: string): Promise<void> {
    this.require("admin");
    const outcome = await this.registry().revokeToken(id);
    if (outcome === "not_found") throw new FleetError("not_found", "No such live token in this fleet.");
    if (outcome === "last_admin") {
      throw new FleetError(
        "conflict",
        "This is the last live token of this fleet with the admin scope: revoked, nobody could administer the fleet again. Create another admin token first, then revoke this one.",
      );
    }
    credentialCache.forgetToken(this.id, id);
    await revokeGrantsApprovedBy(this.env, id);
  }

  /** A dashboard's push channel: the fleet's registry sends it a page of the fleet and that page's changes, or one device's. */
  async live(sessionHash: string, watch: { device: string } | { page: DeviceListQuery }): Promise<Response> {
    this.require("read");
    const headers: Record<string, string> = { Upgrade: "websocket", [LIVE_SESSION_HEADER]: sessionHash };
    if ("device" in watch) headers[LIVE_DEVICE_HEADER] = watch.device;
    else {
      // Refused here, with the reason, before the registry is asked.
      this.pageRequest(watch.page);
      headers[LIVE_PAGE_HEADER] = JSON.stringify(watch.page);
    }
    return this.registry().fetch("https://registry/live", { headers });
  }

  async settings(): Promise<FleetSettings> {
    this.require("read");
    return this.registry().settings();
  }

  /** Uses up the user's confirmation `nonce` (good until `until`); false when it ran a call before. */
  async spendConfirmation(nonce: string, until: number): Promise<boolean> {
    return this.registry().spendConfirmation(nonce, until);
  }

  async updateSettings(changes: FleetSettingsChange): Promise<FleetSettings> {
    this.require("admin");
    return this.registry().updateSettings(changes);
  }

  async audit(query: AuditQuery): Promise<AuditPage> {
    this.require("read");
    return this.auditTrail().query(query);
  }

  /**
   * Runs a catalogued action on a device, if this caller may. Every attempt is
   * audited: a refusal at once; a command before it is sent (so a caller who
   * leaves during a long wait still leaves its row), then completed with its outcome.
   */
  async invoke(deviceId: string, call: InvokeCall, onProgress?: ProgressListener): Promise<InvokeOutcome> {
    const admitted = await this.admit(deviceId, call);
    if ("error" in admitted) return { ok: false, error: admitted.error };
    const { started, requestedBy, commandId, auditId } = admitted;
    let outcome: InvokeOutcome;
    try {
      outcome = await this.device(deviceId).invoke(
        { action: call.action, args: call.args, timeoutMs: call.timeoutMs, requestedBy, queue: call.queue, commandId, auditId, credential: this.credential() },
        onProgress,
      );
    } catch (error) {
      // The command may have reached the device before its object went (a deploy restarts it): the caller needs its id, not to run it twice.
      console.error(`command ${commandId} on ${deviceId}: the device object failed`, error);
      const message = `The object of ${deviceId} restarted while command ${commandId} was in flight; it may have run: check get_command ${commandId} before retrying.`;
      outcome = { ok: false, error: { code: "unavailable", message } };
      // A command in the ledger has its audit row completed by the object when it ends, with what the device did.
      // A new stub: the one that failed stays broken.
      const inLedger = await this.device(deviceId).commandDetail(commandId).then((detail) => detail !== undefined, () => false);
      if (inLedger) return outcome;
    }
    await this.auditTrail().complete(auditId, {
      outcome: outcome.ok ? "succeeded" : outcome.queued ? "queued" : "failed",
      error: outcome.ok ? undefined : `${outcome.error.code}: ${outcome.error.message}`,
      durationMs: Date.now() - started,
    });
    return outcome;
  }

  /**
   * Starts a catalogued action without waiting for it (an MCP task), with the same checks and
   * audit row as invoke; the device's object completes the audit row when the command ends.
   * Answers the command's id, or why it did not start.
   */
  async start(deviceId: string, call: Omit<InvokeCall, "queue">): Promise<{ ok: true; commandId: string; createdAt: number } | { ok: false; error: ActionErrorBody }> {
    const admitted = await this.admit(deviceId, call);
    if ("error" in admitted) return { ok: false, error: admitted.error };
    const { started, requestedBy, commandId, auditId } = admitted;
    const outcome = await this.device(deviceId).start({ action: call.action, args: call.args, timeoutMs: call.timeoutMs, requestedBy, commandId, auditId });
    if (outcome.ok) return { ok: true, commandId, createdAt: outcome.createdAt };
    await this.auditTrail().complete(auditId, { outcome: "failed", error: `${outcome.error.code}: ${outcome.error.message}`, durationMs: Date.now() - started });
    return outcome;
  }

  /** The checks before any command: the device is this fleet's, and the caller may run these arguments; then its audit row is begun. */
  private async admit(deviceId: string, call: InvokeCall): Promise<{ started: number; requestedBy: string; commandId: string; auditId: number } | { error: ActionErrorBody }> {
    if (!(await this.exists(deviceId))) return { error: { code: "unknown_device", message: NO_SUCH_DEVICE } };
    const refusal = refusalOf(this.caller, call);
    if (refusal) {
      await this.recordRefusal(deviceId, call, refusal);
      return { error: refusal };
    }
    const started = Date.now();
    const requestedBy = this.callerName(call.via);
    const commandId = call.commandId ?? newCommandId();
    const auditId = await this.auditTrail().begin({
      at: started,
      caller: requestedBy,
      device: deviceId,
      action: call.action,
      args: redact(call.args),
      commandId,
      confirmedBy: call.confirmedBy,
    });
    return { started, requestedBy, commandId, auditId };
  }

  /** Audits a call refused before it could become a command (by scope, confirmation or its arguments), if the device is this fleet's. */
  async auditRefusal(deviceId: string, call: Pick<InvokeCall, "action" | "args" | "via">, error: ActionErrorBody): Promise<void> {
    if (await this.exists(deviceId)) await this.recordRefusal(deviceId, call, error);
  }

  private async recordRefusal(deviceId: string, call: Pick<InvokeCall, "action" | "args" | "via">, error: ActionErrorBody): Promise<void> {
    await this.auditTrail().record({
      at: Date.now(),
      caller: this.callerName(call.via),
      device: deviceId,
      action: call.action,
      args: redact(call.args),
      outcome: "refused",
      error: `${error.code}: ${error.message}`,
      durationMs: 0,
    });
  }

  /**
   * Audits a change to the fleet's administration (enrollment codes, its update key, releases, a device's
   * command cancelled), made or, with `error`, refused; `device` is `*` where it concerns the whole fleet.
   */
  async auditAdministration(device: string, action: string, args: Record<string, unknown>, error?: string): Promise<void> {
    await this.auditTrail().record({
      at: Date.now(),
      caller: this.callerName(),
      device,
      action,
      args,
      outcome: error === undefined ? "succeeded" : "refused",
      error,
      durationMs: 0,
    });
  }

  /** How the caller appears in the audit log and the device's ledger. */
  callerName(via?: string): string {
    const { kind, id, user } = this.caller;
    const name = kind === "oauth" ? `oauth:${id}${user ? ` (${user})` : ""}` : `token:${id}`;
    return via ? `${name} via ${via}` : name;
  }

  /**
   * The API token the caller stands for: its own, or for an OAuth caller the one that approved its grant
   * (revoking that token ends the grant). A command queued under it is withdrawn if it is revoked first.
   */
  private credential(): string | undefined {
    const { kind, id, user } = this.caller;
    return kind === "token" ? id : user;
  }

  private device(deviceId: string) {
    return deviceStub(this.env, this.id, deviceId);
  }

  /** The one scope check of every request (FleetOps' too): all of them, before anything is written. */
  require(...scopes: Scope[]): void {
    const missing = scopes.find((scope) => !hasScope(this.caller, scope));
    if (missing) throw new FleetError("forbidden", `This needs the "${missing}" scope.`);
  }

  private async exists(deviceId: string): Promise<boolean> {
    return DeviceIdSchema.safeParse(deviceId).success && this.registry().has(deviceId);
  }

  /** The one existence check (FleetOps' too): another fleet's device answers like a missing one. */
  async mustExist(deviceId: string): Promise<void> {
    if (!(await this.exists(deviceId))) throw new FleetError("not_found", NO_SUCH_DEVICE);
  }

  private registry() {
    return registryStub(this.env, this.id);
  }

  private auditTrail() {
    return new AuditTrail(this.env, this.id);
  }
}

export function registryStub(env: Env, fleet: string) {
  return env.REGISTRY.get(env.REGISTRY.idFromName(fleet));
}

/** The device's object by fleet and id; the tunnel uses it before any registry lookup. */
export function deviceStub(env: Env, fleet: string, deviceId: string) {
  return env.DEVICE.get(env.DEVICE.idFromName(`${fleet}/${deviceId}`));
}

export async function provisionDevice(env: Env, fleet: string, deviceId: string): Promise<ProvisionedDevice> {
  const id = DeviceIdSchema.parse(deviceId);
  const token = newSecret();
  await deviceStub(env, fleet, id).provision({ fleet, deviceId: id, credentialHash: await hashSecret(token) });
  return { id, fleet, token, tunnelPath: tunnelPath(fleet, id) };
}

/** A new API token: its secret (shown once), its id, and the hash its fleet's registry keeps. */
async function newToken(fleet: string): Promise<{ token: string; id: string; hash: string }> {
  const token = newFleetSecret("token", fleet);
  return { token, id: `tok_${newSecret(9)}`, hash: await hashSecret(token) };
}

export async function createFleetToken(env: Env, fleet: string, name: string, scopes: Scope[]): Promise<ApiToken & { token: string }> {
  const { token, id, hash } = await newToken(fleet);
  return { ...(await registryStub(env, fleet).createToken(id, name, hash, scopes)), token };
}

/** A new fleet and its first administrator token; undefined, minting nothing, when the fleet already has a token (even a revoked one). */
export async function createFleet(env: Env, fleet: string): Promise<(ApiToken & { token: string }) | undefined> {
  const { token, id, hash } = await newToken(fleet);
  const record = await registryStub(env, fleet).createFirstToken(id, "fleet administrator", hash, [...ALL_SCOPES]);
  return record && { ...record, token };
}
