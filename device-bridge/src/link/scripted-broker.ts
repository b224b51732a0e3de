import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

/** A PUBLISH as the broker received it. */
export interface ReceivedPublish {
  topic: string;
  messageId: number;
  payload: string;
  /** The payload's bytes, for a payload that is not text. */
  bytes: Uint8Array;
  /** Which connection it came on, counting from 1. */
  connection: number;
  /** The whole packet's size on the wire. */
  packetBytes: number;
}

/** How the broker answers a publish: a PUBACK with this reason code and Reason String, or nothing (`hold`). */
export type PublishAnswer = { reasonCode: number; reasonString?: string } | "hold";

/**
 * An MQTT 5 broker over WebSocket for the bridge's link tests, speaking the bytes a cloud does:
 * CONNACK and SUBACK at once, and each PUBLISH answered as `answer` says (acknowledged by
 * default). Unlike the Worker, it can keep a message in flight and drop the link on cue.
 */
export class ScriptedBroker {
  readonly publishes: ReceivedPublish[] = [];
  answer: (publish: ReceivedPublish) => PublishAnswer = () => ({ reasonCode: 0 });
  /** Topics a SUBSCRIBE is refused (0x87), as a Worker that does not know them refuses them. */
  refuse: (topic: string) => boolean = () => false;
  /** Every topic subscribed to (granted or not), in order. */
  readonly subscriptions: string[] = [];
  /** User properties its CONNACK carries (as a Worker's carries its clock); none by default. */
  connackUserProperties: Array<[string, string]> = [];
  /** The Maximum Packet Size its CONNACK gives; like the Worker, it closes a connection that sends a larger packet. */
  maxPacketBytes: number | undefined;
  /** Packets larger than maxPacketBytes that it received (and closed their connection for), by size. */
  readonly oversized: number[] = [];
  /** The connections that ended with a DISCONNECT (a graceful end: no Will), by number. */
  readonly disconnects: number[] = [];
  private connections = 0;
  private readonly sockets = new Map<number, WebSocket>();
  private readonly listeners = new Set<() => void>();

  private constructor(private readonly server: WebSocketServer) {
    server.on("connection", (socket: WebSocket) => {
      const connection = ++this.connections;
      this.sockets.set(connection, socket);
      socket.on("message", (data: Buffer) => this.received(socket, connection, data));
    });
  }

  static async start(): Promise<ScriptedBroker> {
    const server = new WebSocketServer({ port: 0, host: "127.0.0.1", handleProtocols: () => "mqtt" });
    await once(server, "listening");
    return new ScriptedBroker(server);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/tunnel`;
  }

  /** Resolves with the first publish (already received or still to come) that matches. */
  publishWhere(matches: (publish: ReceivedPublish) => boolean): Promise<ReceivedPublish> {
    return this.first(() => this.publishes.find(matches));
  }

  /** Acknowledges a publish that was held, on the connection it came on. */
  acknowledge(publish: ReceivedPublish): void {
    this.sockets.get(publish.connection)?.send(puback(publish.messageId, 0, undefined));
  }

  /** Resolves once connection number `connection` sent DISCONNECT (already or still to come). */
  async disconnected(connection: number): Promise<void> {
    await this.first(() => this.disconnects.includes(connection) || undefined);
  }

  /** Resolves once a SUBSCRIBE named `topic` (already or still to come). */
  async subscribed(topic: string): Promise<void> {
    await this.first(() => this.subscriptions.includes(topic) || undefined);
  }

  /** Resolves with what `look` finds, now or after a packet that the broker received later. */
  private first<T>(look: () => T | undefined): Promise<T> {
    return new Promise((resolve) => {
      const check = () => {
        const found = look();
        if (found === undefined) return;
        this.listeners.delete(check);
        resolve(found);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Sends a PUBLISH at QoS 0 on every live connection, as the cloud sends a command. */
  send(topic: string, payload: string): void {
    const name = Buffer.from(topic, "utf8");
    // Topic, then no properties (MQTT 5), then the payload.
    const body = Buffer.concat([Buffer.from([name.length >> 8, name.length & 0xff]), name, Buffer.from([0x00]), Buffer.from(payload, "utf8")]);
    const packet = Buffer.concat([Buffer.from([0x30]), encodeVarint(body.length), body]);
    for (const client of this.server.clients) client.send(packet);
  }

  /** Cuts every live connection without a goodbye, as a cloud that went away does. */
  dropConnections(): void {
    for (const client of this.server.clients) client.terminate();
  }

  /** Closes every live connection with a WebSocket close frame, after an MQTT 5 DISCONNECT with `disconnectReason` if given, as the Worker retires a connection. */
  closeConnections(code: number, reason: string, disconnectReason?: number): void {
    for (const client of this.server.clients) {
      // DISCONNECT: reason code, then no properties.
      if (disconnectReason !== undefined) client.send(Buffer.from([0xe0, 2, disconnectReason, 0x00]));
      client.close(code, reason);
    }
  }

  close(): Promise<void> {
    this.dropConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** One WebSocket message may hold several packets: mqtt.js writes what it queued meanwhile in one. */
  private received(socket: WebSocket, connection: number, data: Buffer): void {
    for (let at = 0; at < data.length; ) {
      const { value: length, next: body } = varint(data, at + 1);
      const size = body + length - at;
      if (this.maxPacketBytes !== undefined && size > this.maxPacketBytes) {
        this.oversized.push(size);
        return socket.terminate();
      }
      this.packet(socket, connection, (data[at] ?? 0) >> 4, data.subarray(body, body + length), size);
      at += size;
    }
  }

  private packet(socket: WebSocket, connection: number, type: number, packet: Buffer, size: number): void {
    // MQTT 5 CONNACK: no session, success, and the user properties asked for.
    if (type === 1) socket.send(connack(this.connackUserProperties, this.maxPacketBytes));
    // SUBACK granting QoS 1 to each topic, or refusing it.
    if (type === 8) {
      const topics = readSubscribe(packet);
      this.subscriptions.push(...topics);
      for (const listener of [...this.listeners]) listener();
      const codes = topics.map((topic) => (this.refuse(topic) ? 0x87 : 0x01));
      socket.send(Buffer.from([0x90, 3 + codes.length, packet[0] ?? 0, packet[1] ?? 0, 0x00, ...codes]));
    }
    if (type === 14) {
      this.disconnects.push(connection);
      for (const listener of [...this.listeners]) listener();
    }
    if (type === 3) {
      const publish = readPublish(packet, connection, size);
      this.publishes.push(publish);
      for (const listener of [...this.listeners]) listener();
      const answer = this.answer(publish);
      if (answer !== "hold") socket.send(puback(publish.messageId, answer.reasonCode, answer.reasonString));
    }
  }
}

// A SUBSCRIBE body: packet id, properties, then each topic filter (length, text) and its options byte.
function readSubscribe(packet: Buffer): string[] {
  const { value: propertiesLength, next } = varint(packet, 2);
  const topics: string[] = [];
  for (let at = next + propertiesLength; at + 2 <= packet.length; ) {
    const length = packet.readUInt16BE(at);
    topics.push(packet.subarray(at + 2, at + 2 + length).toString("utf8"));
    at += 2 + length + 1;
  }
  return topics;
}

// A QoS 1 PUBLISH body: topic, packet id, properties, payload.
function readPublish(packet: Buffer, connection: number, packetBytes: number): ReceivedPublish {
  const topicLength = packet.readUInt16BE(0);
  const topic = packet.subarray(2, 2 + topicLength).toString("utf8");
  const messageId = packet.readUInt16BE(2 + topicLength);
  const { value: propertiesLength, next } = varint(packet, 4 + topicLength);
  const bytes = packet.subarray(next + propertiesLength);
  return { topic, messageId, payload: bytes.toString("utf8"), bytes, connection, packetBytes };
}

function puback(messageId: number, reasonCode: number, reasonString: string | undefined): Buffer {
  const text = reasonString === undefined ? Buffer.alloc(0) : Buffer.from(reasonString, "utf8");
  // Reason String is property 0x1f, a two-byte length and UTF-8.
  const properties = reasonString === undefined ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x1f, text.length >> 8, text.length & 0xff]), text]);
  const body = Buffer.concat([Buffer.from([messageId >> 8, messageId & 0xff, reasonCode]), encodeVarint(properties.length), properties]);
  return Buffer.concat([Buffer.from([0x40]), encodeVarint(body.length), body]);
}

function varint(buffer: Buffer, at: number): { value: number; next: number } {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = buffer[at++] ?? 0;
    value += (byte & 0x7f) << shift;
    if (byte < 0x80) return { value, next: at };
  }
}

function encodeVarint(value: number): Buffer {
  const bytes: number[] = [];
  do {
    const byte = value % 128;
    value = Math.floor(value / 128);
    bytes.push(value > 0 ? byte | 0x80 : byte);
  } while (value > 0);
  return Buffer.from(bytes);
}

/** An MQTT 5 CONNACK (no session, success) whose properties are these user properties (UTF-8 string pairs, 0x26) and a Maximum Packet Size (0x27, four bytes). */
function connack(userProperties: ReadonlyArray<[string, string]>, maxPacketBytes: number | undefined): Buffer {
  const text = (value: string) => {
    const bytes = Buffer.from(value, "utf8");
    return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
  };
  const maximum = maxPacketBytes === undefined ? [] : [Buffer.from([0x27, maxPacketBytes >>> 24, (maxPacketBytes >>> 16) & 0xff, (maxPacketBytes >>> 8) & 0xff, maxPacketBytes & 0xff])];
  const properties = Buffer.concat([...userProperties.map(([name, value]) => Buffer.concat([Buffer.from([0x26]), text(name), text(value)])), ...maximum]);
  // Lengths of one byte each (a remaining length under 128).
  if (properties.length > 124) throw new Error("the scripted CONNACK holds at most 124 bytes of properties");
  return Buffer.concat([Buffer.from([0x20, 3 + properties.length, 0x00, 0x00, properties.length]), properties]);
}
