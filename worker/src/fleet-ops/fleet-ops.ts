import {
  type CommandDetail,
  type ConfirmedBy,
  CommandDetailSchema,
  CommandIdSchema,
  type DesiredState,
  type DesiredStateRule,
  type DesiredStatus,
  type DeviceAttributes,
  type Drift,
  findAction,
  noSuchAction,
  type FleetRun,
  type FleetRunBrief,
  FleetRunSchema,
  type FleetRunPlan,
  type FleetRunRequest,
  type Scope,
} from "@jetson/protocol";
import { newSecret } from "../credentials.js";
import { deviceStub, type Fleet, FleetError, invalidArguments, registryStub } from "../fleet.js";
import { OPEN_STATES } from "../device/store.js";
import { refusalFor } from "../policy.js";
import type { ChosenDevice, FleetPage } from "../registry/device-table.js";
import { MAX_DESIRED_RULES } from "./desired-rules.js";
import type { RunSpec } from "./run-store.js";
import { parseSelector, type Selector, SelectorError } from "./selector.js";

const NO_SUCH_DEVICE = "No such device in this fleet.";
const NO_SUCH_RUN = "No such run in this fleet.";
const RUN_ID = /^run_[A-Za-z0-9_-]{16}$/;
/** A run's per-device timeout is capped so one alarm can wait for a whole batch (see run-object.ts). */
const MAX_RUN_TIMEOUT_MS = 300_000;
/** Devices told at once that their desired state changed. */
const REFRESH_CONCURRENCY = 8;

/** A request's own `confirm` flag (the REST API's and a 2025-11-25 client's way to confirm). */
const flagOf = (request: FleetRunRequest): ConfirmedBy | undefined => (request.confirm === true ? "flag" : undefined);

/**
 * Fleet operations as one caller sees them: selectors, tags, fleet runs, desired
 * state and the ledger's commands. Scope checks and isolation follow Fleet: every
 * lookup goes through the caller's own fleet, and commands run through Fleet.invoke.
 */
export class FleetOps {
  constructor(private readonly fleet: Fleet) {}

  /** The devices a selector chooses, answered by the registry from its summaries. */
  async select(selector: string): Promise<DeviceAttributes[]> {
    this.require("read");
    return this.chosen(parse(selector));
  }

  async setTags(deviceId: string, tags: string[]): Promise<string[]> {
    this.require("operate");
    await this.mustExist(deviceId);
    return this.device(deviceId).setTags([...new Set(tags)].sort());
  }

  // ---- fleet runs ----

  /**
   * The dry run: which devices a run would reach, canaries first, and whether this caller may
   * start it. `confirmedBy`: the run's confirmation; by default the request's own `confirm` flag.
   */
  async planRun(request: FleetRunRequest, confirmedBy = flagOf(request)): Promise<FleetRunPlan> {
    this.require("read");
    const action = findAction(request.action);
    if (!action) throw new FleetError("invalid", noSuchAction(request.action));
    const invalid = invalidArguments(action, request.args);
    if (invalid !== undefined) throw new FleetError("invalid", invalid);
    const selector = parse(request.selector);
    const canarySelector = request.canary && "selector" in request.canary ? parse(request.canary.selector) : undefined;
    const chosen = await this.chosen(selector, canarySelector);
    const canaries = canaryIds(chosen, request.canary);
    const ordered = [...chosen.filter((d) => canaries.has(d.id)), ...chosen.filter((d) => !canaries.has(d.id))];
    return {
      action: action.name,
      selector: selector.text,
      devices: ordered.map((d) => ({ id: d.id, canary: canaries.has(d.id), online: d.online, board: d.board, jetpack: d.jetpack })),
      canaryCount: canaries.size,
      offline: ordered.filter((d) => !d.online).map((d) => d.id),
      refusal: refusalFor(this.fleet.caller, action, request.args, confirmedBy !== undefined),
    };
  }

  /**
   * Starts a run. `planned`: the plan of this request that the user confirmed, so that the run
   * reaches exactly the devices they were shown; without it the selector chooses them now.
   */
  async startRun(request: FleetRunRequest, confirmedBy = flagOf(request), planned?: FleetRunPlan): Promise<FleetRun> {
    const plan = planned ?? (await this.planRun(request, confirmedBy));
    const action = findAction(plan.action);
    // A confirmed plan was made as if confirmed by a human; the refusal stands on how this run was confirmed.
    const refusal = action && refusalFor(this.fleet.caller, action, request.args, confirmedBy !== undefined);
    if (refusal) throw new FleetError("forbidden", refusal);
    mustChooseDevices(plan);
    const id = `run_${newSecret(12)}`;
    const spec: RunSpec = {
      id,
      fleet: this.fleet.id,
      caller: this.fleet.caller,
      requestedBy: this.fleet.callerName(),
      action: plan.action,
      args: request.args,
      selector: plan.selector,
      canary: request.canary,
      concurrency: request.concurrency,
      abortThresholdPct: request.abortThresholdPct,
      timeoutMs: Math.min(request.timeoutMs ?? action?.defaultTimeoutMs ?? MAX_RUN_TIMEOUT_MS, MAX_RUN_TIMEOUT_MS),
      confirmedBy,
      createdAt: Date.now(),
    };
    return fromWire(await this.runStub(id).start(spec, plan.devices.map((d) => ({ device: d.id, canary: d.canary }))));
  }

  async run(id: string): Promise<FleetRun> {
    return fromWire(await (await this.existingRun(id)).view());
  }

  /** The run once it has changed since `version` (or ended), or after `timeoutMs`. */
  async watchRun(id: string, version: number, timeoutMs: number): Promise<{ run: FleetRun; version: number }> {
    const watched = await (await this.existingRun(id)).watch(version, timeoutMs);
    return { run: fromWire(watched.run), version: watched.version };
  }

  /** Stops a running run (see FleetRunObject.cancel); answers the run as it now stands. */
  async cancelRun(id: string): Promise<FleetRun> {
    this.require("operate");
    return fromWire(await (await this.existingRun(id)).cancel(this.fleet.callerName()));
  }

  async runs(limit: number): Promise<FleetRunBrief[]> {
    this.require("read");
    return this.registry().listRuns(limit);
  }

  // ---- desired state ----

  /**
   * Declares the desired state of the devices a selector chooses (an empty state
   * withdraws the declaration), and tells each of them now; an online device
   * compares and applies at once, an offline one when it reconnects.
   */
  async setDesired(selectorText: string, state: DesiredState): Promise<{ rule?: DesiredStateRule; devices: string[] }> {
    this.requireToSetDesired();
    const selector = parse(selectorText);
    // Chosen before the write (a rule does not change which devices its selector chooses): a refused selection writes nothing.
    const devices = (await this.chosen(selector)).map((d) => d.id);
    if (Object.keys(state).length === 0) {
      await this.registry().removeDesiredRule(selector.text);
      return { devices: await this.refresh(devices) };
    }
    const rule = await this.registry().setDesiredRule(selector, state, this.fleet.callerName());
    if (!rule) {
      throw new FleetError(
        "conflict",
        `This fleet holds ${MAX_DESIRED_RULES} desired-state rules, the most it may; withdraw one (an empty state for its selector) or declare a selector that chooses several devices, then try again.`,
      );
    }
    return { rule, devices: await this.refresh(devices) };
  }

  async setDeviceDesired(deviceId: string, state: DesiredState): Promise<DesiredStatus> {
    this.requireToSetDesired();
    await this.mustExist(deviceId);
    await this.setDesired(`id:${deviceId}`, state);
    return this.desiredStatus(deviceId);
  }

  async desiredRules(): Promise<DesiredStateRule[]> {
    this.require("read");
    return this.registry().listDesiredRules();
  }

  async desiredStatus(deviceId: string): Promise<DesiredStatus> {
    this.require("read");
    await this.mustExist(deviceId);
    const status = await this.device(deviceId).desiredStatus();
    if (!status) throw new FleetError("not_found", NO_SUCH_DEVICE);
    return status;
  }

  /** Every device's unfixed drift, from the registry's summaries of drifting devices (no device is woken). */
  async drift(): Promise<Array<{ device: string; drift: Drift[] }>> {
    this.require("read");
    const drifting = await everyPage((after) => this.registry().drifting(after));
    return drifting.map((d) => ({ device: d.id, drift: d.drift }));
  }

  // ---- the ledger ----

  /** One command of a device's ledger, with its outcome: how a queued command's caller learns what happened. */
  async command(deviceId: string, commandId: string): Promise<CommandDetail> {
    this.require("read");
    await this.mustExist(deviceId);
    const detail = CommandIdSchema.safeParse(commandId).success ? await this.device(deviceId).commandDetail(commandId) : undefined;
    if (!detail) throw new FleetError("not_found", "No such command on this device.");
    return CommandDetailSchema.parse(JSON.parse(detail));
  }

  /** A command started as an MCP task (Fleet.start); undefined when the device has no such task. */
  async taskCommand(deviceId: string, commandId: string): Promise<CommandDetail | undefined> {
    this.require("read");
    await this.mustExist(deviceId);
    const detail = CommandIdSchema.safeParse(commandId).success ? await this.device(deviceId).taskDetail(commandId) : undefined;
    return detail === undefined ? undefined : CommandDetailSchema.parse(JSON.parse(detail));
  }

  /**
   * Cancels an open command of a device's ledger (queued, sent or running) with the device object's one cancel:
   * a queued command never goes out, one the device may have is stopped there. Audited as who cancelled it;
   * answers the command as it now stands. A command that has ended is left as it is, and the refusal names its state.
   */
  async cancelCommand(deviceId: string, commandId: string): Promise<CommandDetail> {
    this.require("operate", "read");
    const before = await this.command(deviceId, commandId);
    const open = OPEN_STATES.some((state) => state === before.state);
    if (open) await this.device(deviceId).cancel(commandId, this.fleet.callerName());
    const after = open ? await this.command(deviceId, commandId) : before;
    // Ended otherwise before the cancel reached it (answered, timed out): that outcome stands.
    if (after.state !== "cancelled" || !open) {
      throw new FleetError("conflict", `Command ${commandId} has already ended (${after.state}): there is nothing to cancel.`);
    }
    await this.fleet.auditAdministration(deviceId, "command.cancel", { commandId, action: after.action });
    return after;
  }

  /** Cancels a task command, stopping it on the device; false when the device has no such task. */
  async cancelTaskCommand(deviceId: string, commandId: string): Promise<boolean> {
    this.require("operate", "read");
    if (!(await this.taskCommand(deviceId, commandId))) return false;
    return this.device(deviceId).cancel(commandId, this.fleet.callerName());
  }

  // ---- internals ----

  /** With `canary`, each device says whether that selector chooses it too. */
  private async chosen(selector: Selector, canary?: Selector): Promise<ChosenDevice[]> {
    return everyPage((after) => this.registry().select(selector, after, canary));
  }

  /** Tells each device that its desired state changed; answers their ids. */
  private async refresh(ids: string[]): Promise<string[]> {
    for (let i = 0; i < ids.length; i += REFRESH_CONCURRENCY) {
      await Promise.all(ids.slice(i, i + REFRESH_CONCURRENCY).map((id) => this.device(id).refreshDesired()));
    }
    return ids;
  }

  private require(...scopes: Scope[]): void {
    this.fleet.require(...scopes);
  }

  /** Setting desired state answers the devices chosen (or the device's status), so it needs `read` as well as `operate`: both are checked before the write. */
  private requireToSetDesired(): void {
    this.require("operate", "read");
  }

  private async mustExist(deviceId: string): Promise<void> {
    await this.fleet.mustExist(deviceId);
  }

  private device(deviceId: string) {
    return deviceStub(this.fleet.env, this.fleet.id, deviceId);
  }

  private registry() {
    return registryStub(this.fleet.env, this.fleet.id);
  }

  /** Only runs the fleet's index knows are looked up: a made-up id never creates an object. */
  private async existingRun(id: string) {
    this.require("read");
    if (!RUN_ID.test(id) || !(await this.registry().hasRun(id))) throw new FleetError("not_found", NO_SUCH_RUN);
    return this.runStub(id);
  }

  private runStub(id: string) {
    return this.fleet.env.FLEET_RUN.get(this.fleet.env.FLEET_RUN.idFromName(`${this.fleet.id}/${id}`));
  }
}

/** Runs and commands cross RPC as JSON text (see RunWatch). */
function fromWire(run: string | undefined): FleetRun {
  if (!run) throw new FleetError("not_found", NO_SUCH_RUN);
  return FleetRunSchema.parse(JSON.parse(run));
}

function parse(selector: string): Selector {
  try {
    return parseSelector(selector);
  } catch (error) {
    if (error instanceof SelectorError) throw new FleetError("invalid", error.message);
    throw error;
  }
}

/** A run starts on at least one device: on none, it is refused. */
export function mustChooseDevices(plan: FleetRunPlan): void {
  if (plan.devices.length === 0) throw new FleetError("invalid", `The selector "${plan.selector}" chooses no device.`);
}

/** Every page of a fleet-wide read from the registry, so that no one answer nears the RPC size limit. */
async function everyPage<T>(read: (after: string | undefined) => Promise<FleetPage<T>>): Promise<T[]> {
  const devices: T[] = [];
  let after: string | undefined;
  do {
    const page = await read(after);
    devices.push(...page.devices);
    after = page.after;
  } while (after !== undefined);
  return devices;
}

/** The canary group: the first N chosen devices by id, or the chosen devices a second selector also chooses (the registry marks them). */
function canaryIds(chosen: ChosenDevice[], canary: FleetRunRequest["canary"]): Set<string> {
  if (!canary) return new Set();
  if ("count" in canary) return new Set(chosen.slice(0, canary.count).map((d) => d.id));
  const ids = new Set(chosen.filter((d) => d.canary).map((d) => d.id));
  if (ids.size === 0 && chosen.length > 0) throw new FleetError("invalid", `The canary selector "${parse(canary.selector).text}" chooses none of the run's devices.`);
  return ids;
}
