import {
  type ActionDefinition,
  type ActionErrorBody,
  type AuditEntry,
  type ChannelMessage,
  type Command,
  findAction,
  noSuchAction,
  parseActionInput,
  topicFor,
} from "@jetson/protocol";
import { newCommandId } from "../credentials.js";
import { readDeviceAnswer } from "./device-answer.js";
import type { Env } from "../env.js";
import { redact } from "../policy.js";
import { RateLimiter } from "../rate-limiter.js";
import type { AlarmScheduler } from "./alarm-scheduler.js";
import type { Connection } from "./connection.js";
import type { InvokeOutcome, InvokeRequest, ProgressListener, StartOutcome, StartRequest } from "./invoke.js";
import { PendingCalls } from "./pending-calls.js";
import type { Presence } from "./presence.js";
import { type CommandQueue, MAX_QUEUED } from "./queue.js";
import { type DeviceStore, type Identity, LEDGER_RETENTION_MS, type LedgerRow } from "./store.js";
import type { TaskStore } from "./task-store.js";
import type { AuditEnd } from "../audit/audit-table.js";

/** A device runs few commands at once; more waiting on it means something is stuck. */
const MAX_IN_FLIGHT = 16;
/** Commands per second per device, with a burst allowance, unless the Worker's vars say otherwise. */
const COMMAND_RATE = { perSecond: 10, burst: 30 };

/** The error of a command cancelled (by `by`) before it reached this object, as its ledger row keeps it and as it is refused when it arrives. */
function cancelledOnItsWay(action: string, by: string): ActionErrorBody {
  return { code: "cancelled", message: `${action} was cancelled by ${by} before it reached the device.` };
}

/** What a command's way needs of its fleet, beyond this object. */
export interface FleetLink {
  /** Completes a command's pending row in the fleet's audit trail. */
  completeAudit(auditId: number, end: AuditEnd): Promise<void>;
  /** Adds a row to the fleet's audit trail. */
  recordAudit(entry: Omit<AuditEntry, "id">): Promise<void>;
  /** Which of these API token ids the fleet's registry holds live (not revoked). */
  liveTokens(ids: string[]): Promise<Set<string>>;
}

/** How a command's outcome reads in the audit trail. */
function auditEnd(outcome: InvokeOutcome, createdAt: number, now: number): AuditEnd {
  return {
    outcome: outcome.ok ? "succeeded" : "failed",
    error: outcome.ok ? undefined : `${outcome.error.code}: ${outcome.error.message}`,
    durationMs: now - createdAt,
  };
}

/** A command's way: checked, written to the ledger, sent (or queued), and settled by the device's answer or its deadline. */
export class CommandPath {
  private readonly pending = new PendingCalls();
  private readonly rate: RateLimiter;

  constructor(
    private readonly identity: () => Identity | undefined,
    private readonly store: DeviceStore,
    private readonly queue: CommandQueue,
    private readonly presence: Presence,
    private readonly scheduler: AlarmScheduler<"queue" | "tasks" | "retention">,
    private readonly tasks: TaskStore,
    private readonly fleet: FleetLink,
    env: Pick<Env, "COMMAND_RATE_PER_SECOND" | "COMMAND_RATE_BURST">,
  ) {
    this.rate = new RateLimiter(Number(env.COMMAND_RATE_PER_SECOND ?? COMMAND_RATE.perSecond), Number(env.COMMAND_RATE_BURST ?? COMMAND_RATE.burst));
  }

  /** Runs an action on the device and waits for its result, its deadline, or a refusal. */
  async invoke(request: InvokeRequest, onProgress?: ProgressListener): Promise<InvokeOutcome> {
    const admitted = this.admit(request);
    if ("error" in admitted) return { ok: false, error: admitted.error };
    const { identity, action, args } = admitted;
    // Online from its CONNECT: a device between CONNACK and SUBACK (as a whole fleet is after a deploy)
    // gets the command with its SUBSCRIBE (redeliver), not a refusal.
    const link = this.presence.authenticated();
    const now = Date.now();
    if (!link) {
      const { lastSeen } = this.store.presence();
      const seen = lastSeen ? `last seen ${new Date(lastSeen).toISOString()}` : "never seen";
      const offline = `${identity.deviceId} is offline (${seen})`;
      if (!request.queue) return { ok: false, error: { code: "device_offline", message: `${offline}.` }, lastSeen };
      // A queued command's expiry is its deadline: the device must not start it later.
      const deadline = now + request.queue.expiresInMs;
      const command = { id: request.commandId ?? newCommandId(), action: action.name, args: args, deadline, requestedBy: request.requestedBy };
      return this.enqueue(command, request, offline, lastSeen);
    }
    const command: Command = {
      id: request.commandId ?? newCommandId(),
      action: action.name,
      args,
      deadline: now + request.timeoutMs,
      requestedBy: request.requestedBy,
    };
    this.store.insertCommand(command, now, request.auditId);
    const outcome = this.pending.wait(
      command.id,
      onProgress,
      () => this.deliver(link, command),
      request.timeoutMs,
      () => this.expire(command.id, action.name, request.timeoutMs),
    );
    // The caller's timer is in memory: should this object restart, the `tasks` duty ends the command instead.
    await this.scheduler.ensure("tasks", command.deadline);
    await this.retain(now);
    return outcome;
  }

  /**
   * Sends a command and answers at once (an MCP task): nothing waits for it here. Its ledger
   * row keeps its progress and outcome, its audit row is completed when it ends (settle),
   * and the `tasks` duty times it out at its deadline. Only for an online device.
   */
  async start(request: StartRequest): Promise<StartOutcome> {
    const admitted = this.admit(request);
    if ("error" in admitted) return { ok: false, error: admitted.error };
    const link = this.presence.authenticated();
    if (!link) return { ok: false, error: { code: "device_offline", message: `${admitted.identity.deviceId} is offline.` } };
    const now = Date.now();
    const command: Command = { id: request.commandId, action: admitted.action.name, args: admitted.args, deadline: now + request.timeoutMs, requestedBy: request.requestedBy };
    this.store.insertCommand(command, now, request.auditId);
    this.tasks.add(command.id, request.auditId);
    this.deliver(link, command);
    await this.scheduler.ensure("tasks", command.deadline);
    await this.retain(now);
    return { ok: true, createdAt: now };
  }

  /**
   * Stops an open command: the ledger records `cancelled` at once, and a device that has it is
   * told to abort its handler (its later `cancelled` result changes nothing), now if its link is
   * live and at each new link until it answers. Answers false for a command the ledger does not
   * have; given the `action` it is on its way with, such a command is recorded as cancelled, and
   * refused when it comes.
   */
  async cancel(id: string, by: string, action?: string): Promise<boolean> {
    const row = this.store.command(id);
    if (!row) {
      if (action !== undefined) {
        const now = Date.now();
        this.store.insertCancelled(id, action, by, now, { ok: false, error: cancelledOnItsWay(action, by) });
        await this.retain(now);
      }
      return false;
    }
    const error = { code: "cancelled" as const, message: `${row.action} was cancelled by ${by}.` };
    if (!this.store.finish(id, "cancelled", Date.now(), { ok: false, error })) return true;
    // A queued command never reached the device; any other may run there, its link down or not.
    if (row.state !== "queued") {
      this.store.oweCancel(id);
      const link = this.presence.live();
      if (link) this.tellCancel(link, id);
    }
    const outcome = { ok: false as const, error };
    if (!this.pending.resolve(id, outcome)) await this.settle(id, outcome);
    return true;
  }

  isTask(id: string): boolean {
    return this.tasks.auditId(id) !== undefined;
  }

  /**
   * The `tasks` duty (named when it timed out task commands only): times out every command whose deadline
   * passed without a result, a queued one aside (the queue's duty does), and completes its audit row. A
   * command whose caller waits in this object is left to the caller's timer, which answers the caller as
   * it always has; this covers task commands, and calls whose object restarted since. Returns the next deadline.
   */
  async expireOverdue(now: number): Promise<number | undefined> {
    for (const id of this.store.overdue(now)) {
      if (this.pending.waits(id)) continue;
      const error = { code: "timed_out" as const, message: "The device did not answer before the command's deadline." };
      if (this.store.finish(id, "timed_out", now, { ok: false, error })) await this.settle(id, { ok: false, error });
    }
    return this.store.nextDeadline();
  }

  /**
   * The device listens for commands again (once per connection): deliver what it has not answered yet, cancels too.
   * Queued commands are ledger rows too: this delivers them, but for those whose token was revoked while they waited.
   */
  async redeliver(connection: Connection): Promise<void> {
    const now = Date.now();
    for (const id of this.store.cancelsOwed(now)) this.tellCancel(connection, id);
    const rows = this.store.unfinished(now);
    const stopped = await this.notToDeliver();
    const withdrawn: Array<{ row: LedgerRow; error: ActionErrorBody }> = [];
    for (const row of rows) {
      if (stopped.has(row.id)) {
        const credential = stopped.get(row.id);
        const error = credential === undefined ? undefined : this.queue.withdraw(row.id, credential, Date.now());
        if (error) withdrawn.push({ row, error });
      } else if (this.store.isOpen(row.id)) {
        // Checked again: it may have ended while the registry was asked.
        this.deliver(connection, {
          id: row.id,
          action: row.action,
          args: JSON.parse(row.args) as Record<string, unknown>,
          deadline: row.deadline,
          requestedBy: row.requested_by,
        });
      }
    }
    for (const { row, error } of withdrawn) await this.auditWithdrawal(row, error);
    const queueDue = this.queue.nextDue();
    if (queueDue !== undefined) await this.scheduler.ensure("queue", queueDue);
  }

  /**
   * The waiting commands not to deliver now, by id: with the token that was revoked (to withdraw), or with
   * undefined where the registry did not answer (they keep waiting, for the next link or their expiry).
   * The registry is asked once, and only when a waiting command stands for a token.
   */
  private async notToDeliver(): Promise<Map<string, string | undefined>> {
    const standing = this.queue.credentials();
    if (standing.size === 0) return new Map();
    try {
      const live = await this.fleet.liveTokens([...new Set(standing.values())]);
      return new Map([...standing].filter(([, credential]) => !live.has(credential)));
    } catch (error) {
      console.error(`${this.identity()?.deviceId}: the registry did not say which tokens are live; the commands queued under them wait`, error);
      return new Map([...standing.keys()].map((id) => [id, undefined]));
    }
  }

  /** A withdrawn command's own audit row was closed `queued` (its outcome left to the ledger): the withdrawal is a row of its own. */
  private async auditWithdrawal(row: LedgerRow, error: ActionErrorBody): Promise<void> {
    const identity = this.identity();
    if (!identity) return;
    const now = Date.now();
    await this.fleet.recordAudit({
      at: now,
      caller: row.requested_by,
      device: identity.deviceId,
      action: row.action,
      args: redact(JSON.parse(row.args) as Record<string, unknown>),
      commandId: row.id,
      ...auditEnd({ ok: false, error }, row.created_at, now),
    });
  }

  acknowledged({ id }: ChannelMessage<"ack">): void {
    this.store.markRunning(id, Date.now());
  }

  progressed({ id, ...progress }: ChannelMessage<"progress">): void {
    this.store.setProgress(id, progress, Date.now());
    this.pending.progress(id, progress);
  }

  async finished(answer: ChannelMessage<"result">): Promise<void> {
    this.store.answered(answer.id);
    const action = findAction(this.store.command(answer.id)?.action ?? "");
    const result = action ? readDeviceAnswer(action, answer) : answer;
    const recorded = this.store.finish(result.id, result.ok ? "succeeded" : "failed", Date.now(), result);
    const waited = this.pending.resolve(result.id, result);
    if (recorded && !waited) return this.settle(result.id, result);
    // Cancelled or timed out here before the device finished it: the ledger says what the device did too.
    if (result.ok || result.error.code !== "cancelled") this.store.keepOutcomeOnDevice(result.id, result);
  }

  /**
   * The checks every command passes before it is written: a provisioned device not being removed, an id not used
   * (one cancelled on its way is refused), a catalogued action, valid arguments, room and rate.
   */
  private admit(request: Pick<InvokeRequest, "action" | "args" | "commandId">): { identity: Identity; action: ActionDefinition; args: Record<string, unknown> } | { error: ActionErrorBody } {
    const identity = this.identity();
    // A device being removed is refused as a missing one: its removal cancels the commands it has, not those that come after.
    if (!identity || identity.revoked) return { error: { code: "unknown_device", message: "No such device." } };
    const earlier = request.commandId === undefined ? undefined : this.store.command(request.commandId);
    if (earlier) {
      if (earlier.state === "cancelled") return { error: cancelledOnItsWay(earlier.action, earlier.requested_by) };
      return { error: { code: "invalid_input", message: `Command ${earlier.id} exists already.` } };
    }
    const action = findAction(request.action);
    if (!action) return { error: { code: "unknown_action", message: noSuchAction(request.action) } };
    const args = parseActionInput(action, request.args);
    if (!args.success) return { error: { code: "invalid_input", message: `Invalid arguments for ${action.name}: ${args.error.message}` } };
    const now = Date.now();
    if (this.store.onDevice(now) >= MAX_IN_FLIGHT) {
      return { error: { code: "too_busy", message: `${identity.deviceId} already has ${MAX_IN_FLIGHT} commands in flight.` } };
    }
    const rate = this.rate.take("commands", now);
    if (!rate.ok) return { error: { code: "too_busy", message: `Too many commands for ${identity.deviceId}; retry in ${rate.retryAfterSeconds} s.` } };
    return { identity, action, args: args.data };
  }

  /** A command ended with no caller waiting for it here (a task, or one whose caller's object restarted): its audit row gets the outcome. */
  private async settle(id: string, outcome: InvokeOutcome): Promise<void> {
    // Task commands started before the ledger kept audit ids have theirs in the task table.
    const auditId = this.store.auditId(id) ?? this.tasks.auditId(id);
    const row = this.store.command(id);
    if (auditId === undefined || !row) return;
    await this.fleet.completeAudit(auditId, auditEnd(outcome, row.created_at, Date.now()));
  }

  /** Keeps a command for an offline device until it reconnects (see redeliver) or the expiry passes (the queue duty). */
  private async enqueue(command: Command, request: InvokeRequest, offline: string, lastSeen: number | undefined): Promise<InvokeOutcome> {
    if (this.queue.full) return { ok: false, error: { code: "too_busy", message: `${offline} and already has ${MAX_QUEUED} commands waiting for it.` }, lastSeen };
    const now = Date.now();
    const queued = this.queue.enqueue(command, request.timeoutMs, now, request.auditId, request.credential);
    await this.scheduler.ensure("queue", queued.expiresAt);
    await this.retain(now);
    const until = new Date(queued.expiresAt).toISOString();
    return { ok: false, error: { code: "device_offline", message: `${offline}; command ${queued.commandId} waits for it until ${until}.` }, lastSeen, queued };
  }

  /** A row entered the ledger at `now`: the retention duty removes it once finished and past retention, whether or not more commands come. */
  private async retain(now: number): Promise<void> {
    await this.scheduler.ensure("retention", now + LEDGER_RETENTION_MS);
  }

  /** Sends a command to a subscribed link; a link that has not subscribed yet gets it at its SUBSCRIBE (redeliver). */
  private deliver(connection: Connection, command: Command): void {
    const identity = this.identity();
    if (!identity || !connection.state.subscribed) return;
    connection.send({
      type: "publish",
      topic: topicFor(identity.deviceId, "command"),
      payload: new TextEncoder().encode(JSON.stringify({ ...command, sentAt: Date.now() } satisfies Command)),
      qos: 1,
      retain: false,
      dup: false,
      messageId: connection.takeMessageId(),
    });
    this.store.markSent(command.id, Date.now());
  }

  /** Tells the device to abort a command's handler; one it does not run ignores this. */
  private tellCancel(connection: Connection, id: string): void {
    const identity = this.identity();
    if (!identity) return;
    connection.send({
      type: "publish",
      topic: topicFor(identity.deviceId, "cancel"),
      payload: new TextEncoder().encode(JSON.stringify({ id })),
      qos: 1,
      retain: false,
      dup: false,
      messageId: connection.takeMessageId(),
    });
  }

  private expire(id: string, action: string, timeoutMs: number): void {
    const presence = this.store.presence();
    const why = presence.online
      ? "the device did not answer in time"
      : `the device went offline${presence.lastSeen ? ` (last seen ${new Date(presence.lastSeen).toISOString()})` : ""} while it was running`;
    const error = { code: "timed_out" as const, message: `${action} timed out after ${timeoutMs} ms: ${why}.` };
    this.store.finish(id, "timed_out", Date.now(), { ok: false, error });
    this.pending.resolve(id, { ok: false, error, lastSeen: presence.lastSeen });
  }
}
