import { DurableObject } from "cloudflare:workers";
import {
  type AlertThresholds,
  type Channel,
  channels,
  type ChannelMessage,
  type Command,
  type CommandRecord,
  type DeviceAlerts,
  type DesiredStatus,
  type DeviceSummary,
  findAction,
  parseActionInput,
  type TelemetryRange,
  type TelemetrySeries,
  topicFor,
} from "@jetson/protocol";
import { newCommandId, secretMatches } from "../credentials.js";
import type { Env } from "../env.js";
import { MqttProtocolError, PacketReader } from "../mqtt/index.js";
import { DeviceTelemetry } from "../telemetry/device-telemetry.js";
import { ALERT_SCHEMA } from "../telemetry/alert-store.js";
import { TELEMETRY_SCHEMA } from "../telemetry/telemetry-store.js";
import { RETENTION_EVERY_MS } from "../telemetry/retention.js";
import { LazyTables } from "../lazy-tables.js";
import { ALARM_SCHEMA, AlarmScheduler } from "./alarm-scheduler.js";
import { Connection } from "./connection.js";
import type { InvokeOutcome, InvokeRequest, ProgressListener } from "./invoke.js";
import { RateLimiter } from "../rate-limiter.js";
import { handlePacket, MAX_CONNECT_BYTES, MAX_PACKET_BYTES, Reason, type SessionHost } from "./mqtt-session.js";
import { DeviceStore, type Identity, LEDGER_SCHEMA } from "./store.js";
import { DesiredStateKeeper, type KeeperHost } from "./desired-state-keeper.js";
import { CommandQueue, MAX_QUEUED } from "./queue.js";
import { QUEUE_SCHEMA, QueueStore } from "./queue-store.js";
import { DESIRED_STATE_SCHEMA } from "./desired-state-store.js";

interface PendingCall {
  resolve(outcome: InvokeOutcome): void;
  onProgress: ProgressListener | undefined;
}

/** A device runs few commands at once; more waiting on it means something is stuck. */
const MAX_IN_FLIGHT = 16;
/** Commands per second per device, with a burst allowance, unless the Worker's vars say otherwise. */
const COMMAND_RATE = { perSecond: 10, burst: 30 };

/** Close codes the device sees. */
const CLOSE = { replaced: 4000, keepalive: 4001, handshake: 4002, revoked: 4003, protocol: 1002 } as const;

/** A tunnel socket that has not sent CONNECT by then is closed: an idle stranger holds nothing for long. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** Every table a device has; the ledger first, since its `meta` table marks a provisioned device. */
export const DEVICE_SCHEMAS = [LEDGER_SCHEMA, TELEMETRY_SCHEMA, ALERT_SCHEMA, ALARM_SCHEMA, QUEUE_SCHEMA, DESIRED_STATE_SCHEMA];

/** Telemetry refreshes the registry's copy of the summary at most this often; alert changes go at once. */
const PUBLISH_EVERY_MS = 1_000;

/**
 * One Jetson: its MQTT link (hibernating WebSocket), presence, command ledger
 * and telemetry. The Worker reaches it by RPC; the device by its tunnel.
 */
export class DeviceObject extends DurableObject<Env> implements SessionHost {
  private readonly store: DeviceStore;
  private readonly telemetry: DeviceTelemetry;
  private readonly queue: CommandQueue;
  private readonly desired: DesiredStateKeeper;
  private readonly scheduler: AlarmScheduler<"keepalive" | "retention" | "offline" | "publish" | "queue" | "desired">;
  private readonly tables: LazyTables;
  private lastPublished = 0;
  private readonly readers = new Map<WebSocket, PacketReader>();
  private readonly pending = new Map<string, PendingCall>();
  private readonly commandRate: RateLimiter;
  private identity: Identity | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new DeviceStore(ctx.storage.sql);
    this.commandRate = new RateLimiter(
      Number(env.COMMAND_RATE_PER_SECOND ?? COMMAND_RATE.perSecond),
      Number(env.COMMAND_RATE_BURST ?? COMMAND_RATE.burst),
    );
    this.telemetry = new DeviceTelemetry(ctx.storage);
    this.queue = new CommandQueue(this.store, new QueueStore(ctx.storage.sql));
    this.desired = new DesiredStateKeeper(ctx.storage.sql);
    this.scheduler = new AlarmScheduler(ctx.storage, {
      keepalive: (now) => this.closeSilentLinks(now),
      retention: (now) => this.telemetry.expire(now),
      offline: (now) => this.checkOffline(now),
      publish: async () => {
        await this.publishSummary();
        return undefined;
      },
      queue: (now) => this.queue.settle(now),
      desired: () => this.desired.keep(this.keeperHost()),
    });
    this.tables = new LazyTables(ctx.storage, "meta", DEVICE_SCHEMAS);
    // A device that was never provisioned has no tables, and gets none until provision().
    ctx.blockConcurrencyWhile(async () => {
      this.tables.migrateIfPresent();
      if (this.tables.exist) this.identity = this.store.identity();
    });
  }

  get deviceId(): string | undefined {
    return this.identity?.deviceId;
  }

  // ---- RPC from the Worker ----

  /** Creates the device, or gives it a new credential (closing a link made with the old one). */
  async provision(identity: Identity): Promise<void> {
    const rotated = this.identity !== undefined;
    this.tables.ensure();
    this.identity = identity;
    this.store.setIdentity(identity);
    if (rotated) await this.closeAll("credential rotated");
    await this.publishSummary();
  }

  /** Refuses the device from now on and closes its live link. */
  async revoke(): Promise<void> {
    if (!this.identity) return;
    this.identity = { ...this.identity, credentialHash: "", revoked: true };
    this.store.setIdentity(this.identity);
    await this.closeAll("device revoked");
  }

  private async closeAll(reason: string): Promise<void> {
    for (const connection of this.connections()) {
      connection.retire(CLOSE.revoked, reason);
      await this.linkClosed(connection, false);
    }
  }

  async summary(): Promise<DeviceSummary | undefined> {
    if (!this.identity || this.identity.revoked) return undefined;
    const presence = this.store.presence();
    const tags = this.store.tags();
    const drift = this.desired.drift;
    return {
      id: this.identity.deviceId,
      fleet: this.identity.fleet,
      ...presence,
      state: this.store.state(),
      ...this.telemetry.summary(),
      // Left out while empty, keeping the registry's copy small.
      ...(tags.length > 0 && { tags }),
      ...(drift.length > 0 && { drift }),
    };
  }

  /** Sets the operator's tags; selectors see them at once, and desired state follows what they now choose. */
  async setTags(tags: string[]): Promise<string[]> {
    this.store.setTags(tags);
    await this.publishSummary();
    await this.refreshDesired();
    return tags;
  }

  async desiredStatus(): Promise<DesiredStatus | undefined> {
    return this.identity && this.desired.status(this.identity.deviceId);
  }

  /** Pulls the fleet's desired-state rules that choose this device, and compares as soon as it is online. */
  async refreshDesired(): Promise<void> {
    const summary = await this.summary();
    if (!summary) return;
    const { state, rules } = await this.registry(summary.fleet).desiredFor(summary);
    if (this.desired.update(state, rules, Date.now())) {
      await this.scheduler.ensure("desired", Date.now());
      await this.publishSummary();
    }
  }

  /** As JSON text: a command's outcome is `unknown`, which RPC stub types drop. */
  async commandDetail(id: string): Promise<string | undefined> {
    const detail = this.store.detail(id, this.queue.expiresAt(id));
    return detail && JSON.stringify(detail);
  }

  async telemetryRange(range: TelemetryRange): Promise<TelemetrySeries> {
    return this.telemetry.query(range);
  }

  async alerts(): Promise<DeviceAlerts> {
    return this.telemetry.view(Date.now());
  }

  async setAlertThresholds(thresholds: AlertThresholds): Promise<AlertThresholds> {
    return this.telemetry.setThresholds(thresholds);
  }

  async commands(limit: number): Promise<CommandRecord[]> {
    return this.store.recentCommands(limit);
  }

  /** Runs an action on the device and waits for its result, its deadline, or a refusal. */
  async invoke(request: InvokeRequest, onProgress?: ProgressListener): Promise<InvokeOutcome> {
    const identity = this.identity;
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
    const rate = this.commandRate.take("commands", Date.now());
    if (!rate.ok) {
      return { ok: false, error: { code: "too_busy", message: `Too many commands for ${identity.deviceId}; retry in ${rate.retryAfterSeconds} s.` } };
    }
    const link = this.liveConnection();
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
    const outcome = new Promise<InvokeOutcome>((resolve) => this.pending.set(command.id, { resolve, onProgress }));
    this.deliver(link, command);
    const timer = setTimeout(() => this.expire(command.id, action.name, request.timeoutMs), request.timeoutMs);
    try {
      return await outcome;
    } finally {
      clearTimeout(timer);
      this.pending.delete(command.id);
    }
  }

  // ---- The tunnel ----

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const protocols = (request.headers.get("Sec-WebSocket-Protocol") ?? "").split(",").map((p) => p.trim());
    if (!protocols.includes("mqtt")) return new Response("The tunnel speaks the mqtt subprotocol only", { status: 400 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    const now = Date.now();
    new Connection(pair[1]).update({ openedAt: now });
    // A device never provisioned has no storage to keep an alarm in; this object stays awake until the timer.
    if (this.identity) await this.scheduler.ensure("keepalive", now + CONNECT_TIMEOUT_MS);
    else setTimeout(() => this.closeStrangers(Date.now()), CONNECT_TIMEOUT_MS);
    return new Response(null, { status: 101, webSocket: pair[0], headers: { "Sec-WebSocket-Protocol": "mqtt" } });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const connection = new Connection(ws);
    if (connection.state.retired) return;
    if (typeof message === "string") return connection.retire(CLOSE.protocol, "MQTT frames are binary");
    const reader = this.readerFor(ws, connection);
    try {
      for (const packet of reader.push(new Uint8Array(message))) {
        if (connection.state.authenticated) this.touch();
        await handlePacket(connection, packet, this);
        if (connection.state.retired) return;
      }
    } catch (error) {
      if (!(error instanceof MqttProtocolError)) throw error;
      // Only this connection suffers: tell an MQTT 5 client why, then close it.
      if (connection.state.version === 5) connection.send({ type: "disconnect", reasonCode: error.reasonCode });
      connection.retire(CLOSE.protocol, error.message.slice(0, 120));
      await this.linkClosed(connection);
    }
  }

  override async webSocketClose(ws: WebSocket): Promise<void> {
    const connection = new Connection(ws);
    connection.close(1000, "closed");
    await this.linkClosed(connection);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.linkClosed(new Connection(ws));
  }

  /** One alarm for every timed duty: keepalive, telemetry retention, the offline alert, deferred publishing. */
  override async alarm(): Promise<void> {
    await this.scheduler.run(Date.now());
  }

  /** Closes links whose device sent nothing for 1.5 keepalive periods, and sockets that never sent CONNECT. */
  private async closeSilentLinks(now: number): Promise<number | undefined> {
    const { lastSeen = 0 } = this.store.presence();
    let next = this.closeStrangers(now);
    for (const connection of this.connections()) {
      const limit = connection.state.keepalive * 1500;
      if (limit === 0) continue;
      if (now - lastSeen >= limit) {
        connection.retire(CLOSE.keepalive, "keepalive timeout");
        await this.linkClosed(connection, true);
      } else {
        next = Math.min(next ?? Infinity, lastSeen + limit);
      }
    }
    return next;
  }

  /** Closes sockets that sent no CONNECT within CONNECT_TIMEOUT_MS of opening. */
  private closeStrangers(now: number): number | undefined {
    let next: number | undefined;
    for (const connection of this.connections()) {
      const { authenticated, retired, openedAt } = connection.state;
      if (authenticated || retired) continue;
      const due = openedAt + CONNECT_TIMEOUT_MS;
      if (now >= due) connection.retire(CLOSE.handshake, "no CONNECT in time");
      else next = Math.min(next ?? Infinity, due);
    }
    return next;
  }

  /** Raises the offline alert once the device has been away for the configured time. */
  private async checkOffline(now: number): Promise<number | undefined> {
    const { online, lastSeen } = this.store.presence();
    if (online || lastSeen === undefined) return undefined;
    const { raised, next } = this.telemetry.checkOffline(lastSeen, now);
    if (raised) await this.publishSummary();
    return next;
  }

  // ---- SessionHost ----

  async credentialsValid(username: string | undefined, password: Uint8Array | undefined): Promise<boolean> {
    if (!this.identity || username !== this.identity.deviceId || !password) return false;
    return secretMatches(new TextDecoder().decode(password), this.identity.credentialHash);
  }

  async connected(connection: Connection): Promise<void> {
    for (const other of this.connections()) {
      if (other.ws !== connection.ws) other.retire(CLOSE.replaced, "replaced by a newer connection");
    }
    const now = Date.now();
    this.store.setPresence({ online: true, connectedSince: now, lastSeen: now });
    this.telemetry.online(now);
    if (connection.state.keepalive > 0) await this.scheduler.ensure("keepalive", now + connection.state.keepalive * 1500);
    await this.publishSummary();
  }

  /** The device listens for commands again: deliver what it has not answered yet. */
  async subscribed(connection: Connection): Promise<void> {
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
    if (this.desired.managed) await this.scheduler.ensure("desired", Date.now());
  }

  async received(channel: Channel, payload: Uint8Array): Promise<number> {
    const definition = channels[channel];
    if (definition.direction !== "up") return Reason.notAuthorized;
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      return Reason.payloadInvalid;
    }
    const parsed = definition.schema.safeParse(json);
    if (!parsed.success) return Reason.payloadInvalid;
    // The message was parsed by this channel's own schema.
    await (this.uplink[channel] as ((message: unknown) => void | Promise<void>) | undefined)?.(parsed.data);
    return Reason.success;
  }

  // ---- internals ----

  /** What each device-to-cloud message does; `status` is informational (presence follows the socket). */
  private readonly uplink: { [C in Channel]?: (message: ChannelMessage<C>) => void | Promise<void> } = {
    ack: ({ id }) => this.store.markRunning(id, Date.now()),
    progress: ({ id, ...progress }) => this.pending.get(id)?.onProgress?.(progress),
    result: (result) => {
      this.store.finish(result.id, result.ok ? "succeeded" : "failed", Date.now(), result);
      this.pending.get(result.id)?.resolve(result);
    },
    telemetry: async ({ samples }) => {
      const now = Date.now();
      const alertsChanged = this.telemetry.ingest(samples, now);
      await this.scheduler.ensure("retention", now + RETENTION_EVERY_MS);
      if (alertsChanged || now - this.lastPublished >= PUBLISH_EVERY_MS) await this.publishSummary();
      else await this.scheduler.ensure("publish", this.lastPublished + PUBLISH_EVERY_MS);
    },
    state: async (state) => {
      this.store.setState(state);
      await this.publishSummary();
      // Board or release may have changed what the fleet's rules choose.
      await this.refreshDesired();
    },
  };

  /** Keeps a command for an offline device until it reconnects (see subscribed) or the expiry passes (the queue duty). */
  private async enqueue(command: Command, timeoutMs: number, offline: string, lastSeen: number | undefined): Promise<InvokeOutcome> {
    if (this.queue.full) return { ok: false, error: { code: "too_busy", message: `${offline} and already has ${MAX_QUEUED} commands waiting for it.` }, lastSeen };
    const queued = this.queue.enqueue(command, timeoutMs, Date.now());
    await this.scheduler.ensure("queue", queued.expiresAt);
    const until = new Date(queued.expiresAt).toISOString();
    return { ok: false, error: { code: "device_offline", message: `${offline}; command ${queued.commandId} waits for it until ${until}.` }, lastSeen, queued };
  }

  private deliver(connection: Connection, command: Command): void {
    if (!this.identity) return;
    connection.send({
      type: "publish",
      topic: topicFor(this.identity.deviceId, "command"),
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
    this.pending.get(id)?.resolve({ ok: false, error, lastSeen: presence.lastSeen });
  }

  private async linkClosed(connection: Connection, fireWill = !connection.state.retired): Promise<void> {
    this.readers.delete(connection.ws);
    const wasAuthenticated = connection.state.authenticated;
    const will = connection.state.will;
    connection.update({ retired: true, authenticated: false });
    if (!wasAuthenticated || this.liveConnection()) return;
    if (fireWill && will) await this.uplinkWill(will);
    const presence = this.store.presence();
    if (!presence.online) return;
    this.store.setPresence({ online: false, lastSeen: presence.lastSeen });
    if (presence.lastSeen !== undefined) await this.scheduler.ensure("offline", this.telemetry.offlineDue(presence.lastSeen));
    await this.publishSummary();
  }

  /** The Last Will is delivered as if the device had published it. */
  private async uplinkWill(will: { topic: string; payload: string }): Promise<void> {
    const channel = will.topic.split("/")[2];
    if (channel && channel in channels) await this.received(channel as Channel, new TextEncoder().encode(will.payload));
  }

  private touch(): void {
    const presence = this.store.presence();
    this.store.setPresence({ ...presence, lastSeen: Date.now() });
  }

  private readerFor(ws: WebSocket, connection: Connection): PacketReader {
    let reader = this.readers.get(ws);
    if (!reader) {
      // After hibernation the reader is rebuilt; the protocol version survives in the attachment.
      reader = new PacketReader({ maxPacketBytes: MAX_PACKET_BYTES, maxConnectBytes: MAX_CONNECT_BYTES }, { version: connection.state.version, pending: new Uint8Array() });
      this.readers.set(ws, reader);
    }
    return reader;
  }

  private connections(): Connection[] {
    return this.ctx.getWebSockets().map((ws) => new Connection(ws));
  }

  private liveConnection(): Connection | undefined {
    return this.connections().find((c) => c.state.authenticated && c.state.subscribed && !c.state.retired);
  }

  private async publishSummary(): Promise<void> {
    const summary = await this.summary();
    if (!summary) return;
    this.lastPublished = Date.now();
    await this.registry(summary.fleet).upsert(summary);
  }

  private registry(fleet: string) {
    return this.env.REGISTRY.get(this.env.REGISTRY.idFromName(fleet));
  }

  private keeperHost(): KeeperHost {
    return {
      deviceId: this.identity?.deviceId ?? "",
      online: () => this.liveConnection() !== undefined,
      invoke: (request) => this.invoke(request),
      audit: async (entry) => {
        if (this.identity) await this.registry(this.identity.fleet).recordAudit(entry);
      },
      driftChanged: () => this.publishSummary(),
    };
  }
}

