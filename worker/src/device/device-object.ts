import { DurableObject } from "cloudflare:workers";
import type {
  AlertThresholds,
  Channel,
  CommandRecord,
  DeviceAlerts,
  DevicePort,
  DesiredStatus,
  DeviceSummary,
  TelemetryRange,
  TelemetrySeries,
} from "@jetson/protocol";
import { secretMatches } from "../credentials.js";
import { AuditTrail } from "../audit/audit-trail.js";
import type { Env } from "../env.js";
import { MqttProtocolError } from "../mqtt/index.js";
import { DeviceTelemetry } from "../telemetry/device-telemetry.js";
import { ALERT_SCHEMA } from "../telemetry/alert-store.js";
import { TELEMETRY_SCHEMA } from "../telemetry/telemetry-store.js";
import { LazyTables } from "../lazy-tables.js";
import { ALARM_SCHEMA, AlarmScheduler, earliest } from "./alarm-scheduler.js";
import { CommandPath } from "./command-path.js";
import { CLOSE, Connection } from "./connection.js";
import type { InvokeOutcome, InvokeRequest, ProgressListener, StartOutcome, StartRequest } from "./invoke.js";
import { type Acknowledgement, handlePacket, type SessionHost } from "./mqtt-session.js";
import { PacketReaders } from "./packet-readers.js";
import { Presence } from "./presence.js";
import { DeviceStore, type Identity, LEDGER_SCHEMA } from "./store.js";
import { DesiredStateKeeper, type KeeperHost } from "./desired-state-keeper.js";
import { CommandQueue } from "./queue.js";
import { QUEUE_SCHEMA, QueueStore } from "./queue-store.js";
import { DESIRED_STATE_SCHEMA } from "./desired-state-store.js";
import { figuresEveryMs, SummaryPublisher } from "./summary-publisher.js";
import { TASK_SCHEMA, TaskStore } from "./task-store.js";
import { Uplink } from "./uplink.js";
import { auditPort } from "../tunnel/port-audit.js";
import { PORT_SCHEMA } from "../tunnel/port-store.js";
import { portTunnelRequest } from "../tunnel/port-token.js";
import { type PortOpening, PortTunnels } from "../tunnel/port-tunnels.js";
import { tunnelNotFound } from "../tunnel/tunnel-headers.js";
import { updateAuditEntry } from "../releases/update-audit.js";

/** Every table a device has; the ledger first, since its `meta` table marks a provisioned device. */
export const DEVICE_SCHEMAS = [LEDGER_SCHEMA, TELEMETRY_SCHEMA, ALERT_SCHEMA, ALARM_SCHEMA, QUEUE_SCHEMA, DESIRED_STATE_SCHEMA, TASK_SCHEMA, PORT_SCHEMA];

/**
 * One Jetson: its MQTT link (hibernating WebSocket), presence, command ledger
 * and telemetry. The Worker reaches it by RPC; the device by its tunnel.
 * This class is the RPC surface and the hibernation hooks; the parts do the work.
 */
export class DeviceObject extends DurableObject<Env> implements SessionHost {
  // Made by assemble(), again when a removed device is forgotten: a part may keep what it read in memory.
  private store!: DeviceStore;
  private telemetry!: DeviceTelemetry;
  private queue!: CommandQueue;
  private desired!: DesiredStateKeeper;
  private scheduler!: AlarmScheduler<"keepalive" | "retention" | "offline" | "publish" | "queue" | "desired" | "tasks" | "ports">;
  private tables!: LazyTables;
  private publisher!: SummaryPublisher;
  private readers!: PacketReaders;
  private presence!: Presence;
  private commandPath!: CommandPath;
  private uplink!: Uplink;
  private ports!: PortTunnels;
  private identity: Identity | undefined;
  /** The basis of this device's desired state, as the registry answered the last summary sent in this object's life. */
  private desiredBasis: string | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.assemble();
    // A device that was never provisioned has no tables, and gets none until provision().
    ctx.blockConcurrencyWhile(async () => {
      this.tables.migrateIfPresent();
      if (this.tables.exist) this.identity = this.store.identity();
    });
  }

  /** Makes the parts, each reading its storage afresh. */
  private assemble(): void {
    const { ctx, env } = this;
    this.store = new DeviceStore(ctx.storage.sql);
    this.telemetry = new DeviceTelemetry(ctx.storage);
    this.queue = new CommandQueue(this.store, new QueueStore(ctx.storage.sql));
    this.desired = new DesiredStateKeeper(ctx.storage.sql);
    this.scheduler = new AlarmScheduler(
      ctx.storage,
      {
        keepalive: (now) => this.presence.closeSilentLinks(now),
        retention: (now) => earliest(this.telemetry.expire(now), this.store.expire(now)),
        offline: (now) => this.presence.checkOffline(now),
        publish: (now) => this.publisher.flush(now),
        queue: (now) => this.queue.settle(now),
        desired: () => this.desired.keep(this.keeperHost()),
        tasks: (now) => this.commandPath.expireOverdue(now),
        ports: (now) => this.ports.expire(now),
      },
      // Keeping the desired state awaits device commands for minutes: detached, it holds up no tunnel expiry or deadline.
      { duties: ["desired"], keepAlive: (work) => ctx.waitUntil(work) },
    );
    this.tables = new LazyTables(ctx.storage, "meta", DEVICE_SCHEMAS);
    this.readers = new PacketReaders();
    this.publisher = new SummaryPublisher(
      () => this.summary(),
      async (summary) => {
        this.desiredBasis = undefined;
        ({ desiredBasis: this.desiredBasis } = await this.registry(summary.fleet).upsert(summary));
      },
      this.store,
      this.scheduler,
      figuresEveryMs(env.SUMMARY_FIGURES_EVERY_MS),
    );
    this.presence = new Presence(ctx, this.store, this.telemetry, this.scheduler, {
      publishSummary: () => this.publisher.publish(),
      fireWill: (will) => this.uplink.fireWill(will),
      forget: (ws) => {
        this.readers.forget(ws);
        this.ports.linkClosed(ws);
      },
    });
    this.commandPath = new CommandPath(
      () => this.identity,
      this.store,
      this.queue,
      this.presence,
      this.scheduler,
      new TaskStore(ctx.storage.sql),
      {
        completeAudit: async (auditId, end) => {
          if (this.identity) await new AuditTrail(this.env, this.identity.fleet).complete(auditId, end);
        },
        recordAudit: async (entry) => {
          if (this.identity) await new AuditTrail(this.env, this.identity.fleet).record(entry);
        },
        liveTokens: async (ids) => new Set(this.identity ? await this.registry(this.identity.fleet).liveTokens(ids) : []),
      },
      env,
    );
    this.ports = new PortTunnels(ctx.storage.sql, {
      deviceId: () => this.identity?.deviceId,
      live: () => this.presence.live(),
      expireBy: (at) => this.scheduler.ensure("ports", at),
      audit: async (entry) => {
        if (this.identity) await auditPort(env, this.identity.fleet, { ...entry, device: this.identity.deviceId });
      },
    });
    this.uplink = new Uplink(this.store, this.commandPath, this.telemetry, this.scheduler, this.publisher, () => this.refreshDesiredIfStale(), async (record) => {
      if (this.identity) await new AuditTrail(this.env, this.identity.fleet).record(updateAuditEntry(this.identity.deviceId, record));
    });
  }

  get deviceId(): string | undefined {
    return this.identity?.deviceId;
  }

  // ---- RPC from the Worker ----

  /** Creates the device, or gives it a new credential (closing a link made with the old one). */
  async provision(identity: Identity): Promise<void> {
    // A removal an earlier release made (or one cut short) left the old board's data: the new board starts without it.
    if (this.identity?.revoked) await this.forget();
    const rotated = this.identity !== undefined;
    this.tables.ensure();
    this.identity = identity;
    this.store.setIdentity(identity);
    if (rotated) await this.presence.closeAll("credential rotated");
    await this.publisher.publish();
  }

  /**
   * Removes the device (`by` removed it). From its first step its credential and any new command are
   * refused; its open commands are cancelled (a caller waiting is told who removed it), its tunnels
   * and live link closed, and then everything it stored is deleted: a board provisioned later under
   * the same id starts as a new device. The audit trail, kept apart, keeps its history.
   */
  async revoke(by: string): Promise<void> {
    if (!this.identity) return;
    this.identity = { ...this.identity, credentialHash: "", revoked: true };
    this.store.setIdentity(this.identity);
    for (const id of this.store.openCommandIds()) await this.commandPath.cancel(id, `${by}, who removed the device`);
    await this.ports.closeAll(by);
    await this.presence.closeAll("device revoked");
    await this.forget();
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
    await this.publisher.publish();
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
    const { state, rules, basis } = await this.registry(summary.fleet).desiredFor(summary);
    if (this.desired.update(state, rules, Date.now(), basis)) {
      await this.scheduler.ensure("desired", Date.now());
      await this.publisher.publish();
    }
  }

  /**
   * A state report (every connection sends one): pulls the rules again only if the registry's basis
   * for them moved since the last pull. A fleet reconnecting after a deploy then asks the registry
   * for one summary write per device, not also for its rules; a rule change that never reached this
   * object (its refresh failed part-way) still arrives with the next connection.
   */
  private async refreshDesiredIfStale(): Promise<void> {
    if (this.desiredBasis !== undefined && this.desired.pulledFrom(this.desiredBasis)) return;
    try {
      await this.refreshDesired();
    } catch (error) {
      // The state report still counts (it is stored); the basis kept is unchanged, so the next report or connection pulls again.
      console.error(`desired state of ${this.identity?.deviceId} not pulled from the registry`, error);
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
    return this.commandPath.invoke(request, onProgress);
  }

  /** Sends a command without waiting for it (an MCP task); see CommandPath.start. */
  async start(request: StartRequest): Promise<StartOutcome> {
    return this.commandPath.start(request);
  }

  /** Cancels an open command (and stops it on the device); false if the ledger has no such command (see CommandPath.cancel for `action`). */
  async cancel(id: string, by: string, action?: string): Promise<boolean> {
    // A fleet run cancels without asking the registry first: a device removed meanwhile has nothing to cancel.
    if (!this.identity || this.identity.revoked) return false;
    return this.commandPath.cancel(id, by, action);
  }

  /** A command started as a task, as JSON text (see commandDetail); undefined for any other id. */
  async taskDetail(id: string): Promise<string | undefined> {
    return this.commandPath.isTask(id) ? this.commandDetail(id) : undefined;
  }

  /** Opens a time-limited tunnel to 127.0.0.1:port on the device, if the device allows that port. */
  async openPort(port: number, seconds: number, by: string): Promise<PortOpening> {
    return this.ports.open(port, seconds, by);
  }

  async closePort(id: string): Promise<boolean> {
    return this.ports.close(id);
  }

  async openPorts(): Promise<DevicePort[]> {
    return this.ports.list();
  }

  // ---- The tunnel (the device's MQTT link), and port tunnel requests ----

  override async fetch(request: Request): Promise<Response> {
    const port = portTunnelRequest(request);
    // An object never provisioned has no tunnels (nor tables to look in).
    if (port) return this.identity ? this.ports.fetch(request, port.secret, port.path) : tunnelNotFound();
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const protocols = (request.headers.get("Sec-WebSocket-Protocol") ?? "").split(",").map((p) => p.trim());
    if (!protocols.includes("mqtt")) return new Response("The tunnel speaks the mqtt subprotocol only", { status: 400 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    await this.presence.opened(pair[1], this.identity !== undefined);
    return new Response(null, { status: 101, webSocket: pair[0], headers: { "Sec-WebSocket-Protocol": "mqtt" } });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const connection = new Connection(ws);
    if (connection.state.retired) return;
    if (typeof message === "string") return connection.retire(CLOSE.protocol, "MQTT frames are binary");
    try {
      for (const packet of this.readers.read(connection, new Uint8Array(message))) {
        if (connection.state.authenticated) this.presence.touch();
        await handlePacket(connection, packet, this);
        if (connection.state.retired) return;
      }
    } catch (error) {
      if (!(error instanceof MqttProtocolError)) throw error;
      // Only this connection suffers: tell an MQTT 5 client why, then close it.
      if (connection.state.version === 5) connection.send({ type: "disconnect", reasonCode: error.reasonCode });
      connection.retire(CLOSE.protocol, error.message.slice(0, 120));
      await this.presence.closed(connection);
    }
  }

  override async webSocketClose(ws: WebSocket): Promise<void> {
    const connection = new Connection(ws);
    connection.close(1000, "closed");
    await this.presence.closed(connection);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.presence.closed(new Connection(ws));
  }

  /** One alarm for every timed duty: keepalive, telemetry retention, the offline alert, the summary's held-back figures. */
  override async alarm(): Promise<void> {
    await this.scheduler.run(Date.now());
  }

  // ---- SessionHost ----

  async credentialsValid(username: string | undefined, password: Uint8Array | undefined): Promise<boolean> {
    if (!this.identity || username !== this.identity.deviceId || !password) return false;
    return secretMatches(new TextDecoder().decode(password), this.identity.credentialHash);
  }

  async connected(connection: Connection): Promise<void> {
    await this.presence.connected(connection);
  }

  /** The device listens for commands again: deliver what it has not answered yet, and compare its desired state. */
  async subscribed(connection: Connection): Promise<void> {
    await this.commandPath.redeliver(connection);
    if (this.desired.managed) await this.scheduler.ensure("desired", Date.now());
  }

  async received(channel: Channel, payload: Uint8Array): Promise<Acknowledgement> {
    if (channel === "port-up") return this.ports.received(payload);
    return this.uplink.received(channel, payload);
  }

  // ---- internals ----

  /**
   * Deletes all the device stored (its alarm too) and makes its parts again: what they hold in memory
   * (the summary last sent, telemetry counts, presence) goes with it. The object is then as one never provisioned.
   */
  private async forget(): Promise<void> {
    this.scheduler.retire();
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.identity = undefined;
    this.desiredBasis = undefined;
    this.assemble();
  }

  private registry(fleet: string) {
    return this.env.REGISTRY.get(this.env.REGISTRY.idFromName(fleet));
  }

  private keeperHost(): KeeperHost {
    return {
      deviceId: this.identity?.deviceId ?? "",
      online: () => this.presence.live() !== undefined,
      invoke: (request) => this.invoke(request),
      audit: async (entry) => {
        if (this.identity) await new AuditTrail(this.env, this.identity.fleet).record(entry);
      },
      driftChanged: () => this.publisher.publish(),
    };
  }
}
