import { CommandSchema, encodeTelemetryBatch, type ProvisionedDevice, type Result, type TimedSample, topicFor, tunnelPath } from "@jetson/protocol";
import mqtt, { type MqttClient } from "mqtt";
import WebSocket from "ws";
import { busyOrinSample } from "../bench/orin-sample.js";
import { backoffDelay } from "../device-bridge/src/link/backoff.js";
import { WEBSOCKET_LINK } from "../test/support/mqtt-device.js";

/** Samples a batch holds: a bridge samples at 1 Hz and publishes every 5 s. */
export const SAMPLES_PER_BATCH = 5;
/** Batches kept while they cannot be sent (a minute), as a bridge buffers; older ones are dropped and counted. */
const MAX_QUEUED_BATCHES = 12;

export interface LinkOptions {
  url: string;
  device: ProvisionedDevice;
  /** Reconnect backoff, as the bridge's `reconnect` setting. */
  reconnect: { minMs: number; maxMs: number };
  /** Whether the link should be up: false once the soak ends. */
  wanted: () => boolean;
}

interface Batch {
  samples: TimedSample[];
  payload: Uint8Array;
}

/**
 * One device's link as a bridge keeps it, held in this process: MQTT 5 over WebSocket, telemetry
 * batches at QoS 1 one in flight at a time (resent on the next connection until acknowledged),
 * commands answered with an ack and a result, a journal of command ids so that a redelivered
 * command is answered again, not run again, and reconnection with backoff and full jitter.
 */
export class SoakLink {
  private client: MqttClient | undefined;
  private socket: WebSocket | undefined;
  private readonly queue: Batch[] = [];
  /** The connection whose drain loop is running, if one is. */
  private draining: MqttClient | undefined;
  private sampleIndex = 0;
  private attempt = 0;
  private readonly journal = new Map<string, Result>();
  /** Commands whose result the cloud acknowledged: it must never deliver these again. */
  private readonly answered = new Set<string>();

  readonly counts = { samplesAcknowledged: 0, samplesDropped: 0, executions: 0, redeliveries: 0, deliveredAfterAnswered: 0, connects: 0 };
  /** Time of the first sample this link made: stored samples are counted from there. */
  firstSampleAt: number | undefined;
  /** When the link last connected. */
  connectedAt = 0;

  constructor(private readonly options: LinkOptions) {}

  get id(): string {
    return this.options.device.id;
  }

  get up(): boolean {
    return this.client?.connected === true;
  }

  /** Batches not yet acknowledged. */
  get queued(): number {
    return this.queue.length;
  }

  async connect(): Promise<void> {
    const { url, device } = this.options;
    const client = await mqtt.connectAsync(`${url.replace("http", "ws")}${tunnelPath(device.fleet, device.id)}`, {
      ...WEBSOCKET_LINK,
      clientId: device.id,
      username: device.id,
      password: device.token,
      // Kept so that cut() can drop the connection as a network would, without a goodbye.
      createWebsocket: (wsUrl: string, protocols: string[]) => (this.socket = new WebSocket(wsUrl, protocols)),
      // Refused or dropped before CONNACK: reject, for the backoff to try again.
    }, false);
    if (!client.connected) throw new Error(`${device.id}: ended before connecting`);
    this.client = client;
    this.attempt = 0;
    this.counts.connects += 1;
    this.connectedAt = Date.now();
    client.on("message", (_topic, payload) => void this.command(client, payload));
    client.once("close", () => this.lost(client));
    await client.subscribeAsync(topicFor(device.id, "command"), { qos: 1 });
    this.publish(client, "state", { hostname: device.id, board: "NVIDIA Jetson AGX Orin Developer Kit", jetpack: "6.2", bridgeVersion: "soak", capabilities: [] });
    void this.drain();
  }

  /** Drops the connection abruptly (no DISCONNECT, no close handshake); the link then reconnects by itself. */
  cut(): void {
    this.socket?.terminate();
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true);
  }

  /** The next batch of samples (a second apart), queued to be sent; the oldest queued one goes when the queue is full. */
  async tick(now: number): Promise<void> {
    const first = now - (SAMPLES_PER_BATCH - 1) * 1_000;
    this.firstSampleAt ??= first;
    const samples = Array.from({ length: SAMPLES_PER_BATCH }, (_, s) => busyOrinSample(first + s * 1_000, this.sampleIndex++));
    this.queue.push({ samples, payload: await encodeTelemetryBatch({ samples }) });
    if (this.queue.length > MAX_QUEUED_BATCHES) this.counts.samplesDropped += this.queue.shift()?.samples.length ?? 0;
    void this.drain();
  }

  /**
   * Sends the queue's head over the current connection until the queue is empty or that connection
   * is gone; an unacknowledged batch stays at the head. A publish on a connection that was cut may
   * never settle, so each connection drains on its own: the next one sends the head again.
   */
  private async drain(): Promise<void> {
    const client = this.client;
    if (!client || this.draining === client) return;
    this.draining = client;
    try {
      for (let batch = this.queue[0]; batch && client === this.client && client.connected; batch = this.queue[0]) {
        const acknowledged = await client.publishAsync(topicFor(this.id, "telemetry"), Buffer.from(batch.payload), { qos: 1 }).then(
          () => true,
          () => false,
        );
        if (!acknowledged) break;
        // The head may have been dropped for space, or acknowledged on a newer connection, while this batch was in flight.
        if (this.queue[0] !== batch) continue;
        this.queue.shift();
        this.counts.samplesAcknowledged += batch.samples.length;
      }
    } finally {
      if (this.draining === client) this.draining = undefined;
    }
  }

  private lost(client: MqttClient): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.retry();
  }

  private retry(): void {
    if (!this.options.wanted()) return;
    const { minMs, maxMs } = this.options.reconnect;
    setTimeout(() => {
      if (!this.options.wanted()) return;
      this.connect().catch(() => {
        this.attempt += 1;
        this.retry();
      });
    }, backoffDelay(this.attempt, minMs, maxMs));
  }

  /** Runs a command once; a redelivered one is answered from the journal, as the bridge's command journal does. */
  private async command(client: MqttClient, payload: Buffer): Promise<void> {
    const parsed = CommandSchema.safeParse(JSON.parse(payload.toString()));
    if (!parsed.success) return;
    const { id } = parsed.data;
    if (this.answered.has(id)) this.counts.deliveredAfterAnswered += 1;
    let result = this.journal.get(id);
    if (result) {
      this.counts.redeliveries += 1;
    } else {
      const startedAt = Date.now();
      this.counts.executions += 1;
      result = { id, ok: true, data: { pong: true, at: startedAt, bridgeVersion: "soak" }, startedAt, endedAt: Date.now() };
      this.journal.set(id, result);
    }
    void this.publish(client, "ack", { id });
    if (await this.publish(client, "result", result)) this.answered.add(id);
  }

  private publish(client: MqttClient, channel: "ack" | "result" | "state", message: unknown): Promise<boolean> {
    return client.publishAsync(topicFor(this.id, channel), JSON.stringify(message), { qos: 1 }).then(
      () => true,
      () => false,
    );
  }
}
