import {
  decodePortFrame,
  type DevicePort,
  encodePortFrame,
  headerBytes,
  MAX_HEADER_BYTES,
  MAX_HEADER_FIELDS,
  MAX_PATH_CHARS,
  type PortFrameHeader,
  PortFrameHeaderSchema,
  PortFrameError,
  type PortFrameOf,
  topicFor,
} from "@jetson/protocol";
import { hashSecret, newSecret } from "../credentials.js";
import type { Connection } from "../device/connection.js";
import { type Acknowledgement, Reason } from "../device/mqtt-session.js";
import type { Exchange } from "./exchange.js";
import { HttpExchange } from "./http-exchange.js";
import type { PortAuditAction } from "./port-audit.js";
import { PortStore } from "./port-store.js";
import { tunnelNotFound, tunnelNotice, tunnelRequestHeaders } from "./tunnel-headers.js";
import { WsExchange } from "./ws-exchange.js";

/** Streams open at once through one tunnel, and through all of a device's tunnels. */
export const MAX_TUNNEL_STREAMS = 8;
export const MAX_DEVICE_STREAMS = 32;
/** How long the device has to answer a check or an opened stream. */
const ANSWER_TIMEOUT_MS = 30_000;
const CHECK_TIMEOUT_MS = 10_000;

/** What the tunnels need from the device's object. */
export interface PortTunnelsHost {
  deviceId(): string | undefined;
  /** The device's live link, if it is online. */
  live(): Connection | undefined;
  /** Makes the expiry duty run by `at`. */
  expireBy(at: number): Promise<void>;
  audit(entry: { caller: string; action: PortAuditAction; args: Record<string, unknown>; outcome: "succeeded" | "refused"; error?: string }): Promise<void>;
}

export type PortOpening = { ok: true; port: DevicePort; secret: string } | { ok: false; error: string };

/**
 * The device object's part of the port tunnel: the open tunnels (stored by their secret's hash),
 * the streams running through them, and the frames to and from the device on its MQTT link.
 * Streams live in memory only: an object with a request in flight is not evicted, and a link that
 * closes ends the streams on it.
 */
export class PortTunnels {
  private readonly store: PortStore;
  private readonly exchanges = new Map<number, Exchange>();
  private readonly checks = new Map<number, (answer: PortFrameOf<"checked">) => void>();
  private nextStream = 1 + Math.floor(Math.random() * 0x7fff_ffff);

  constructor(
    sql: SqlStorage,
    private readonly host: PortTunnelsHost,
  ) {
    this.store = new PortStore(sql);
  }

  /** Opens a tunnel if the device, asked now, allows the port; its URL's secret is answered once and kept only hashed. */
  async open(port: number, seconds: number, by: string): Promise<PortOpening> {
    const answer = await this.check(port);
    if (!answer.allowed) return { ok: false, error: answer.reason ?? `The device does not allow port ${port}.` };
    const now = Date.now();
    const opened: DevicePort = { id: `pt_${newSecret(9)}`, port, openedBy: by, openedAt: now, expiresAt: now + seconds * 1000 };
    const secret = newSecret(32);
    this.store.add(opened, await hashSecret(secret));
    await this.host.expireBy(opened.expiresAt);
    return { ok: true, port: opened, secret };
  }

  /** Closes a tunnel early, ending its streams; false when there is no such open tunnel. */
  close(id: string): boolean {
    const closed = this.store.remove(id);
    if (closed) this.endStreams(closed.id, "the tunnel was closed");
    return closed !== undefined;
  }

  /** The device was removed: every tunnel closes, ending its streams, audited as a close by whoever removed it; its URL answers as one never opened. */
  async closeAll(by: string): Promise<void> {
    for (const closed of this.store.takeAll()) {
      this.endStreams(closed.id, "the device was removed");
      await this.host.audit({ caller: by, action: "close_device_port", args: { id: closed.id, reason: "the device was removed" }, outcome: "succeeded" });
    }
  }

  list(): DevicePort[] {
    return this.store.list(Date.now());
  }

  /** The expiry duty: ends and audits tunnels past their time; answers when it is due next. */
  async expire(now: number): Promise<number | undefined> {
    for (const expired of this.store.takeExpired(now)) {
      this.endStreams(expired.id, "the tunnel expired");
      await this.host.audit({ caller: "expiry", action: "device_port_expired", args: { id: expired.id, port: expired.port }, outcome: "succeeded" });
    }
    return this.store.nextExpiry();
  }

  /** A client's request through `/t/<token>/...`: `secret` from the token, `path` what follows it. */
  async fetch(request: Request, secret: string, path: string): Promise<Response> {
    const tunnel = this.store.bySecretHash(await hashSecret(secret), Date.now());
    if (!tunnel) return tunnelNotFound();
    const link = this.host.live();
    if (!link) return tunnelNotice(502, "The device is offline.");
    const inTunnel = [...this.exchanges.values()].filter((e) => e.tunnelId === tunnel.id).length;
    if (inTunnel >= MAX_TUNNEL_STREAMS || this.exchanges.size >= MAX_DEVICE_STREAMS) {
      return tunnelNotice(503, "Too many requests through this device's tunnels at once; try again shortly.", { "retry-after": "1" });
    }
    const headers = tunnelRequestHeaders(request.headers);
    if (headerBytes(headers) > MAX_HEADER_BYTES) return tunnelNotice(431, `Request headers over ${MAX_HEADER_BYTES} bytes`);
    const websocket = request.headers.get("upgrade")?.toLowerCase() === "websocket";
    const stream = this.takeStreamId();
    const open: PortFrameOf<"open"> = { type: "open", stream, port: tunnel.port, method: request.method, path, headers, websocket };
    const refusal = unforwardable(open);
    if (refusal) return refusal;
    const send = this.sender(link);
    const forget = (id: number) => this.exchanges.delete(id);
    const exchange = websocket ? new WsExchange(stream, tunnel.id, link.ws, send, forget) : new HttpExchange(stream, tunnel.id, link.ws, send, forget, path, request.method);
    this.exchanges.set(stream, exchange);
    try {
      send(open);
    } catch (error) {
      // The stream never reached the device: it must not hold a slot.
      exchange.reset(`the request could not be sent to the device: ${error instanceof Error ? error.message : String(error)}`);
      return exchange.response;
    }
    if (exchange instanceof HttpExchange) exchange.upload(request.body).catch(() => exchange.abort("the client's request body failed"));
    const timer = setTimeout(() => exchange.abort("the device did not answer in time", 504), ANSWER_TIMEOUT_MS);
    const response = await exchange.response;
    clearTimeout(timer);
    return response;
  }

  /** A frame from the device (port-up channel). */
  received(payload: Uint8Array): Acknowledgement {
    let header: PortFrameHeader;
    let body: Uint8Array;
    try {
      ({ header, body } = decodePortFrame(payload));
    } catch (error) {
      if (error instanceof PortFrameError) return { reason: Reason.payloadInvalid, reasonString: error.message };
      throw error;
    }
    if (header.type === "checked") {
      this.checks.get(header.stream)?.(header);
      return { reason: Reason.success };
    }
    const exchange = this.exchanges.get(header.stream);
    if (exchange) this.onStream[header.type]?.(exchange, header as never, body);
    else if (header.type === "response" || header.type === "data") this.orphaned(header.stream);
    return { reason: Reason.success };
  }

  /** A device socket closed: the streams on it cannot go on (all of them, when the device has no live link left). */
  linkClosed(socket: WebSocket): void {
    const offline = this.host.live() === undefined;
    for (const exchange of [...this.exchanges.values()]) {
      if (offline || exchange.socket === socket) exchange.reset("the device's link dropped");
    }
  }

  private readonly onStream: { [T in PortFrameHeader["type"]]?: (exchange: Exchange, frame: PortFrameOf<T>, body: Uint8Array) => void } = {
    response: (exchange, frame) => exchange.answer(frame),
    data: (exchange, frame, body) => exchange.data(frame, body),
    credit: (exchange, frame) => exchange.credit(frame.bytes),
    end: (exchange, frame) => exchange.end(frame),
    reset: (exchange, frame) => exchange.reset(`the device reset the stream: ${frame.reason}`, frame.status),
  };

  /** Asks the device whether its configuration allows the port: its word is final. */
  private async check(port: number): Promise<{ allowed: boolean; reason?: string }> {
    const link = this.host.live();
    if (!link) return { allowed: false, reason: "The device is offline; a tunnel opens only while it is connected." };
    const stream = this.takeStreamId();
    const answered = new Promise<PortFrameOf<"checked"> | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), CHECK_TIMEOUT_MS);
      this.checks.set(stream, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
    this.sender(link)({ type: "check", stream, port });
    const answer = await answered;
    this.checks.delete(stream);
    return answer ?? { allowed: false, reason: "The device did not answer: its bridge allows no tunnel ports (tunnelPorts), or is too old for tunnels." };
  }

  /** The device streams to nobody (this object restarted since, or the stream ended here): it should stop and free its connection. */
  private orphaned(stream: number): void {
    const link = this.host.live();
    if (link) this.sender(link)({ type: "reset", stream, reason: "no such stream in the cloud" });
  }

  private endStreams(tunnelId: string, reason: string): void {
    for (const exchange of [...this.exchanges.values()]) {
      if (exchange.tunnelId === tunnelId) exchange.abort(reason, 410);
    }
  }

  private takeStreamId(): number {
    const id = this.nextStream;
    this.nextStream = id >= 0xffff_fffe ? 1 : id + 1;
    return id;
  }

  /** Frames go at QoS 0: the link's order is the order sent, and a lost link ends the stream anyway. */
  private sender(link: Connection): (header: PortFrameHeader, body?: Uint8Array) => void {
    const topic = topicFor(this.host.deviceId() ?? "", "port-down");
    return (header, body) => link.send({ type: "publish", topic, payload: encodePortFrame(header, body), qos: 0, retain: false, dup: false });
  }
}

/**
 * A request whose open frame the schema refuses (the bridge would drop it, and the client wait for a
 * 504): answered at once, with the status HTTP has for what is over the limit.
 */
function unforwardable(open: PortFrameOf<"open">): Response | undefined {
  const parsed = PortFrameHeaderSchema.safeParse(open);
  if (parsed.success) return undefined;
  const field = parsed.error.issues[0]?.path[0];
  if (field === "path") return tunnelNotice(414, `Request path and query over ${MAX_PATH_CHARS} characters`);
  if (field === "headers") return tunnelNotice(431, `More than ${MAX_HEADER_FIELDS} request headers`);
  if (field === "method") return tunnelNotice(501, `The method ${open.method} cannot be forwarded to the device`);
  return tunnelNotice(400, "This request cannot be forwarded to the device");
}
