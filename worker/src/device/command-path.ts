import { type ChannelMessage, type Command, findAction, parseActionInput, topicFor } from "@jetson/protocol";
import { newCommandId } from "../credentials.js";
import type { Env } from "../env.js";
import { RateLimiter } from "../rate-limiter.js";
import type { AlarmScheduler } from "./alarm-scheduler.js";
import type { Connection } from "./connection.js";
import type { InvokeOutcome, InvokeRequest, ProgressListener } from "./invoke.js";
import { PendingCalls } from "./pending-calls.js";
import type { Presence } from "./presence.js";
import { type CommandQueue, MAX_QUEUED } from "./queue.js";
import type { DeviceStore, Identity } from "./store.js";

/** A device runs few commands at once; more waiting on it means something is stuck. */
const MAX_IN_FLIGHT = 16;
/** Commands per second per device, with a burst allowance, unless the Worker's vars say otherwise. */
const COMMAND_RATE = { perSecond: 10, burst: 30 };

/** A command's way: checked, written to the ledger, sent (or queued), and settled by the device's answer or its deadline. */
export class CommandPath {
  private readonly pending = new PendingCalls();
  private readonly rate: RateLimiter;

  constructor(
    private readonly identity: () => Identity | undefined,
    private readonly store: DeviceStore,
    private readonly queue: CommandQueue,
    private readonly presence: Presence,
    private readonly scheduler: AlarmScheduler<"queue">,
    env: Pick<Env, "COMMAND_RATE_PER_SECOND" | "COMMAND_RATE_BURST">,
  ) {
    this.rate = new RateLimiter(Number(env.COMMAND_RATE_PER_SECOND ?? COMMAND_RATE.perSecond), Number(env.COMMAND_RATE_BURST ?? COMMAND_RATE.burst));
  }

  /** Runs an action on the device and waits for its result, its deadline, or a refusal. */
  async invoke(request: InvokeRequest, onProgress?: ProgressListener): Promise<InvokeOutcome> {
    const identity = this.identity();
    if (!identity) return { ok: false, error: { code: "unknown_device", message: "No such device." } };
    const action = findAction(request.action);
    if (!action) return { ok: false, error: { code: "unknown_action", message: `No action ${request.action}.` } };
    const args = parseActionInput(action, request.args);
    if (!args.success) {
      return { ok: false, error: { code: "invalid_input", message: `Invalid arguments for ${action.name}: ${args.error.message}` } };
    }
    if (this.pending.size >= MAX_IN_FLIGHT) {
      return { ok: false, error: { code: "too_busy", message: `${identity.deviceId} already has ${MAX_IN_FLIGHT} commands in flight.` } };
    }
    const rate = this.rate.take("commands", Date.now());
    if (!rate.ok) {
      return { ok: false, error: { code: "too_busy", message: `Too many commands for ${identity.deviceId}; retry in ${rate.retryAfterSeconds} s.` } };
    }
    const link = this.presence.live();
    const now = Date.now();
    if (!link) {
      const { lastSeen } = this.store.presence();
      const seen = lastSeen ? `last seen ${new Date(lastSeen).toISOString()}` : "never seen";
      const offline = `${identity.deviceId} is offline (${seen})`;
      if (!request.queue) return { ok: false, error: { code: "device_offline", message: `${offline}.` }, lastSeen };
      // A queued command's expiry is its deadline: the device must not start it later.
      const deadline = now + request.queue.expiresInMs;
      const command = { id: request.commandId ?? newCommandId(), action: action.name, args: args.data, deadline, requestedBy: request.requestedBy };
      return this.enqueue(command, request.timeoutMs, offline, lastSeen);
    }
    const command: Command = {
      id: request.commandId ?? newCommandId(),
      action: action.name,
      args: args.data,
      deadline: now + request.timeoutMs,
      requestedBy: request.requestedBy,
    };
    this.store.insertCommand(command, now);
    return this.pending.wait(
      command.id,
      onProgress,
      () => this.deliver(link, command),
      request.timeoutMs,
      () => this.expire(command.id, action.name, request.timeoutMs),
    );
  }

  /** The device listens for commands again: deliver what it has not answered yet. */
  async redeliver(connection: Connection): Promise<void> {
    // Queued commands are ledger rows too: this delivers them, once per connection.
    for (const row of this.store.unfinished(Date.now())) {
      this.deliver(connection, {
        id: row.id,
        action: row.action,
        args: JSON.parse(row.args) as Record<string, unknown>,
        deadline: row.deadline,
        requestedBy: row.requested_by,
      });
    }
    const queueDue = this.queue.nextDue();
    if (queueDue !== undefined) await this.scheduler.ensure("queue", queueDue);
  }

  acknowledged({ id }: ChannelMessage<"ack">): void {
    this.store.markRunning(id, Date.now());
  }

  progressed({ id, ...progress }: ChannelMessage<"progress">): void {
    this.pending.progress(id, progress);
  }

  finished(result: ChannelMessage<"result">): void {
    this.store.finish(result.id, result.ok ? "succeeded" : "failed", Date.now(), result);
    this.pending.resolve(result.id, result);
  }

  /** Keeps a command for an offline device until it reconnects (see redeliver) or the expiry passes (the queue duty). */
  private async enqueue(command: Command, timeoutMs: number, offline: string, lastSeen: number | undefined): Promise<InvokeOutcome> {
    if (this.queue.full) return { ok: false, error: { code: "too_busy", message: `${offline} and already has ${MAX_QUEUED} commands waiting for it.` }, lastSeen };
    const queued = this.queue.enqueue(command, timeoutMs, Date.now());
    await this.scheduler.ensure("queue", queued.expiresAt);
    const until = new Date(queued.expiresAt).toISOString();
    return { ok: false, error: { code: "device_offline", message: `${offline}; command ${queued.commandId} waits for it until ${until}.` }, lastSeen, queued };
  }

  private deliver(connection: Connection, command: Command): void {
    const identity = this.identity();
    if (!identity) return;
    connection.send({
      type: "publish",
      topic: topicFor(identity.deviceId, "command"),
      payload: new TextEncoder().encode(JSON.stringify(command)),
      qos: 1,
      retain: false,
      dup: false,
      messageId: connection.takeMessageId(),
    });
    this.store.markSent(command.id, Date.now());
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
