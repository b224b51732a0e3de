import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { encodePacket, type Packet, PacketReader } from "../src/mqtt/index.js";

/** The operator secret the pool config sets; it only creates fleets. */
export const OPERATOR = { Authorization: "Bearer test-admin-token" };

/** Headers of the `local` fleet's administrator, filled by `signIn()` (which `provision` calls). */
export const ADMIN: Record<string, string> = {};

export async function createFleet(id: string): Promise<string> {
  const response = await exports.default.fetch("http://w/admin/fleets", {
    method: "POST",
    headers: { ...OPERATOR, "Content-Type": "application/json" },
    body: JSON.stringify({ id }),
  });
  if (response.status !== 201) throw new Error(`create fleet ${id}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

export async function signIn(): Promise<void> {
  ADMIN.Authorization ??= `Bearer ${await createFleet("local")}`;
}

export async function provision(id: string): Promise<string> {
  await signIn();
  const response = await exports.default.fetch("http://w/api/devices", {
    method: "POST",
    headers: { ...ADMIN, "Content-Type": "application/json" },
    body: JSON.stringify({ id }),
  });
  if (response.status !== 201) throw new Error(`provision ${id}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

/** A device of the fleet "local", provisioned now, its link open and its CONNECT accepted. */
export async function connectedDevice(id: string, version: 4 | 5 = 5): Promise<DeviceClient> {
  const token = await provision(id);
  const client = await DeviceClient.open(`/tunnel/local/${id}`, version);
  expect(await client.connect(id, token)).toMatchObject({ reasonCode: 0 });
  return client;
}

/**
 * A device's side of the tunnel inside workerd: whole packets per frame (the
 * pool may reorder frames), and every packet the server sends, awaitable.
 */
export class DeviceClient {
  private readonly reader: PacketReader;
  private readonly received: Packet[] = [];
  private waiters: Array<() => void> = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(
    readonly ws: WebSocket,
    readonly version: 4 | 5,
  ) {
    this.reader = new PacketReader({ maxPacketBytes: 1 << 20 }, { version, pending: new Uint8Array() });
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", (event) => {
      this.received.push(...this.reader.push(new Uint8Array(event.data as ArrayBuffer)));
      this.wake();
    });
    ws.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.wake();
    });
  }

  static async open(path: string, version: 4 | 5 = 5): Promise<DeviceClient> {
    const response = await exports.default.fetch(`http://w${path}`, {
      headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": "mqtt" },
    });
    const ws = response.webSocket;
    if (!ws) throw new Error(`no WebSocket: ${response.status}`);
    ws.accept();
    return new DeviceClient(ws, version);
  }

  send(packet: Packet): void {
    this.ws.send(encodePacket(packet, this.version));
  }

  sendRaw(bytes: Uint8Array): void {
    this.ws.send(bytes);
  }

  async connect(deviceId: string, token: string, keepalive = 60): Promise<Packet> {
    this.send({
      type: "connect",
      protocolVersion: this.version,
      clientId: deviceId,
      clean: true,
      keepalive,
      username: deviceId,
      password: new TextEncoder().encode(token),
    });
    return this.next("connack");
  }

  async subscribeCommands(deviceId: string): Promise<void> {
    this.send({ type: "subscribe", messageId: 1, subscriptions: [{ topic: `jetson/${deviceId}/command`, qos: 1 }] });
    await this.next("suback");
  }

  /** Subscribes as the bridge does on each connection: its command and cancel topics in one SUBSCRIBE, then `also` (the port tunnel's) in another. */
  async subscribeLikeBridge(deviceId: string, also: string[] = []): Promise<void> {
    this.send({
      type: "subscribe",
      messageId: 1,
      subscriptions: [
        { topic: `jetson/${deviceId}/command`, qos: 1 },
        { topic: `jetson/${deviceId}/cancel`, qos: 1 },
      ],
    });
    await this.next("suback");
    if (also.length === 0) return;
    this.send({ type: "subscribe", messageId: 2, subscriptions: also.map((topic) => ({ topic, qos: 1 as const })) });
    await this.next("suback");
  }

  publishJson(topic: string, message: unknown, messageId = 7): void {
    this.publishBytes(topic, new TextEncoder().encode(JSON.stringify(message)), messageId);
  }

  publishBytes(topic: string, payload: Uint8Array, messageId = 7): void {
    this.send({
      type: "publish",
      topic,
      payload,
      qos: 1,
      retain: false,
      dup: false,
      messageId,
    });
  }

  /** The next packet of a type, waiting for it (or failing if the socket closes first). */
  async next<T extends Packet["type"]>(type: T): Promise<Extract<Packet, { type: T }>> {
    for (;;) {
      const index = this.received.findIndex((p) => p.type === type);
      if (index >= 0) return this.received.splice(index, 1)[0] as Extract<Packet, { type: T }>;
      if (this.closed) throw new Error(`closed (${this.closed.code} ${this.closed.reason}) while waiting for ${type}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async whenClosed(): Promise<{ code: number; reason: string }> {
    while (!this.closed) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.closed;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export function json(packet: Extract<Packet, { type: "publish" }>): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(packet.payload)) as Record<string, unknown>;
}
