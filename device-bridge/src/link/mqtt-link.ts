import { CLOUD_CLOCK_PROPERTY } from "@jetson/protocol";
import mqtt, { ErrorWithReasonCode, type MqttClient } from "mqtt";
import WebSocket from "ws";
import type { Logger } from "../log.js";
import { backoffDelay } from "./backoff.js";
import { MessageTooLarge } from "../message-too-large.js";
import { publishPacketBytes } from "./publish-size.js";
import { PublishRefused } from "./publish-refused.js";

export interface LinkOptions {
  /** ws:// or wss:// URL of the device's tunnel. */
  url: string;
  clientId: string;
  username: string;
  password: string;
  keepaliveSeconds: number;
  reconnect: { minMs: number; maxMs: number };
  will: { topic: string; payload: string };
  /** The topics the cloud sends on (commands, cancels); connected means all of them are granted. */
  subscribe: string[];
  /** Topics of a feature the cloud may not offer yet (an older Worker refuses them): asked for apart, so a refusal costs only that feature. */
  subscribeOptional?: string[];
  log: Logger;
  /** The Worker's clock when it accepted this connection, as its CONNACK said it, read on arrival. */
  onCloudClock?(cloudNow: number): void;
  onConnect(): void;
  onMessage(topic: string, payload: Uint8Array): void;
  /** The connection closed (a reconnect may follow). */
  onClose?(): void;
}

/** What the broker said of a message it accepted: its MQTT 5 Reason String, such as the part it refused. */
export interface PublishAccepted {
  reasonString?: string;
}

/** How long stop() waits for the cloud to acknowledge what is in flight before closing anyway. */
const END_GRACE_MS = 3_000;

/** The only module that talks mqtt.js: MQTT 5 over one WebSocket frame per packet, reconnecting with backoff. */
export class MqttLink {
  private client: MqttClient | undefined;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private brokerMaxPacketBytes: number | undefined;
  /** The PUBACK being handled: mqtt.js calls a publish's callback with the stored PUBLISH, not the PUBACK. */
  private puback: { messageId?: number; reasonString?: string } | undefined;
  /** Why the current connection ended, as the cloud said it (DISCONNECT, or the WebSocket's close); logged with the reconnect. */
  private closeReason: string | undefined;

  constructor(private readonly options: LinkOptions) {}

  start(): void {
    const { options } = this;
    const client = mqtt.connect(options.url, {
      protocolVersion: 5,
      clientId: options.clientId,
      username: options.username,
      password: options.password,
      keepalive: options.keepaliveSeconds,
      clean: true,
      // Reconnects are ours, so they can back off with jitter.
      reconnectPeriod: 0,
      connectTimeout: 15_000,
      will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: 1, retain: false },
      // QoS 0 messages (port tunnel frames) belong to one connection: never kept for the next.
      queueQoSZero: false,
      // mqtt.js's default Node stream writes one frame per packet field; the native path writes whole packets.
      forceNativeWebSocket: true,
      createWebsocket: (url: string, protocols: string[]) => {
        const socket = new WebSocket(url, protocols);
        this.closeReason = undefined;
        socket.on("close", (code, reason) => {
          const closed = closeText(code, reason.toString());
          this.closeReason = this.closeReason === undefined ? closed : `${this.closeReason}, then ${closed}`;
        });
        return socket;
      },
      // Otherwise mqtt-packet makes a Buffer for each of the 65,536 two-byte numbers on the first write: 6 MB of heap.
      writeCache: false,
    });
    this.client = client;
    client.on("connect", (connack) => {
      this.attempt = 0;
      this.brokerMaxPacketBytes = connack.properties?.maximumPacketSize;
      const cloudNow = Number(connack.properties?.userProperties?.[CLOUD_CLOCK_PROPERTY]);
      // An older Worker says nothing; a list (the property repeated) is not a clock either.
      if (Number.isSafeInteger(cloudNow) && cloudNow > 0) options.onCloudClock?.(cloudNow);
      // Connected means ready for commands: only once the command subscription is granted.
      client.subscribe(options.subscribe, { qos: 1 }, (error, granted) => {
        if (error || options.subscribe.some((_, i) => (granted?.[i]?.qos ?? 0x80) >= 0x80)) {
          options.log.error(`the Worker refused the command subscription: ${error?.message ?? "not authorized"}`);
          return;
        }
        options.log.info(`connected to ${options.url}`);
        options.onConnect();
        this.subscribeOptional(client);
      });
    });
    client.on("packetreceive", (packet) => {
      if (packet.cmd === "puback") this.puback = { messageId: packet.messageId, reasonString: packet.properties?.reasonString };
    });
    client.on("disconnect", (packet) => {
      const said = packet.properties?.reasonString;
      this.closeReason = `DISCONNECT with reason code ${packet.reasonCode ?? 0}${said ? `: ${said}` : ""}`;
    });
    client.on("message", (topic, payload) => options.onMessage(topic, payload));
    client.on("error", (error) => options.log.warn(`link error: ${describe(error)}`));
    client.on("close", () => {
      options.onClose?.();
      this.scheduleReconnect();
    });
  }

  /**
   * Publishes at QoS 1. Resolves when the broker acknowledged it, with what it said; while the link
   * is down mqtt.js keeps the message and sends it again on reconnect. Rejects with PublishRefused
   * when the broker refused it, or with an error when the link was stopped first. Throws
   * MessageTooLarge at once, sending nothing, for a message larger than the broker takes.
   */
  publish(topic: string, payload: string | Uint8Array): Promise<PublishAccepted> {
    const client = this.client;
    if (!client) return Promise.reject(new Error("the link was never started"));
    this.refuseOversized(topic, typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength, 1);
    return new Promise((resolve, reject) => {
      client.publish(topic, typeof payload === "string" ? payload : Buffer.from(payload), { qos: 1 }, (error, packet) => {
        // Called while its PUBACK is handled, so the PUBACK seen last is this message's.
        const answered = packet?.messageId !== undefined && packet.messageId === this.puback?.messageId;
        const reasonString = answered ? this.puback?.reasonString : undefined;
        if (!error) return resolve(reasonString === undefined ? {} : { reasonString });
        if (!(error instanceof ErrorWithReasonCode)) return reject(error);
        reject(new PublishRefused(error.code, reasonString === undefined ? error.message : `${error.message}: ${reasonString}`));
      });
    });
  }

  /** Publishes at QoS 0 on this connection only: dropped, not kept, while the link is down. Throws MessageTooLarge as publish does. */
  publishOnce(topic: string, payload: Uint8Array): void {
    this.refuseOversized(topic, payload.byteLength, 0);
    this.client?.publish(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos: 0 });
  }

  /** The largest packet the broker takes, as its CONNACK said (MQTT 5 Maximum Packet Size). */
  get maxPacketBytes(): number | undefined {
    return this.brokerMaxPacketBytes;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    if (!client) return;
    // A graceful end waits for every message in flight to be acknowledged: a cloud that stopped
    // answering would hold the bridge's exit forever, so after a grace the end is forced (which
    // fails what is still in flight).
    const drained = Object.keys(client.outgoing).length === 0 || (await acknowledgedWithin(client, END_GRACE_MS));
    await client.endAsync(!drained);
  }

  /**
   * mqtt.js checks only what it receives against a Maximum Packet Size, never what it sends: a larger
   * PUBLISH would make the broker close the connection, and at QoS 1 be sent again on every reconnect.
   * The size the last CONNACK gave holds while the link is down, as what is published then waits for it.
   */
  private refuseOversized(topic: string, payloadBytes: number, qos: 0 | 1): void {
    const max = this.brokerMaxPacketBytes;
    if (max === undefined) return;
    const packetBytes = publishPacketBytes(topic, payloadBytes, qos);
    if (packetBytes > max) throw new MessageTooLarge(topic, packetBytes, max);
  }

  private subscribeOptional(client: MqttClient): void {
    const topics = this.options.subscribeOptional ?? [];
    if (topics.length === 0) return;
    client.subscribe(topics, { qos: 0 }, (error, granted) => {
      const refused = topics.filter((_, i) => error || (granted?.[i]?.qos ?? 0x80) >= 0x80);
      if (refused.length > 0) this.options.log.warn(`the Worker refused ${refused.join(", ")} (too old for that feature?): it stays off`);
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = backoffDelay(this.attempt++, this.options.reconnect.minMs, this.options.reconnect.maxMs);
    this.options.log.info(`link closed${this.closeReason ? ` (${this.closeReason})` : ""}; reconnecting in ${delay} ms`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      const client = this.client;
      // reconnect() without stores starts empty ones: what was in flight would never be sent again,
      // nor its publish settle.
      if (!this.stopped && client) client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
    }, delay);
  }
}

/** A WebSocket close as the log says it: 1006 is a connection cut without a close frame. */
function closeText(code: number, reason: string): string {
  if (code === 1006) return "cut without a close frame: WebSocket 1006";
  return `WebSocket ${code}${reason ? `: ${reason}` : ""}`;
}

function describe(error: Error & { code?: number | string }): string {
  // CONNACK reason 0x86 (MQTT 5) or return code 4 (3.1.1).
  if (error.code === 134 || error.code === 4) return "the Worker refused this device's credentials";
  return error.message;
}

/**
 * Resolves true once nothing is in flight, false after `ms`. mqtt.js says so itself (outgoingEmpty)
 * only once ending, which would make every stop with a message in flight wait out the whole grace and
 * then force the end (no DISCONNECT, so the cloud fires the Will): each acknowledgement is looked at
 * instead, once mqtt.js has handled it.
 */
function acknowledgedWithin(client: MqttClient, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (drained: boolean) => {
      clearTimeout(timer);
      client.off("packetreceive", look);
      resolve(drained);
    };
    const look = () =>
      setImmediate(() => {
        if (Object.keys(client.outgoing).length === 0) settle(true);
      });
    const timer = setTimeout(() => settle(false), ms);
    client.on("packetreceive", look);
  });
}
