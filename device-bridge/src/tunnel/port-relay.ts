import { decodePortFrame, encodePortFrame, type PortFrameHeader, type PortFrameOf, PortFrameError } from "@jetson/protocol";
import type { Logger } from "../log.js";
import { HttpStream } from "./http-stream.js";
import type { PortStream, StreamLink } from "./stream.js";
import { WsStream } from "./ws-stream.js";

/** More streams than this at once are refused: each holds a local connection and up to a window of bytes. */
export const MAX_DEVICE_STREAMS = 64;

/** The frame schema's cap on a reset's reason: the cloud drops a frame with a longer one. */
const MAX_RESET_REASON = 500;

/**
 * The device's end of the port tunnel: answers the cloud's frames, opens streams to 127.0.0.1 only
 * on the ports this device's configuration allows (whatever the cloud asks), and sends frames back.
 */
export class PortRelay {
  private readonly streams = new Map<number, PortStream>();
  private readonly link: StreamLink;

  constructor(
    private readonly allowed: ReadonlySet<number>,
    publish: (frame: Uint8Array) => void,
    private readonly log: Logger,
  ) {
    this.link = {
      send: (header, body) => publish(encodePortFrame(header, body)),
      over: (stream) => this.streams.delete(stream),
    };
  }

  receive(payload: Uint8Array): void {
    let frame;
    try {
      frame = decodePortFrame(payload);
    } catch (error) {
      if (!(error instanceof PortFrameError)) throw error;
      return this.log.warn(`port tunnel: ${error.message}`);
    }
    const { header, body } = frame;
    if (header.type === "check") return this.link.send({ type: "checked", stream: header.stream, allowed: this.allowed.has(header.port), ...this.refusal(header.port) });
    if (header.type === "open") return this.start(header);
    const stream = this.streams.get(header.stream);
    if (!stream) {
      // Credit for a stream that ended here is normal (the cloud grants as its client reads); data is not.
      if (header.type === "data") this.link.send({ type: "reset", stream: header.stream, reason: "no such stream on the device" });
      return;
    }
    this.onStream[header.type]?.(stream, header as never, body);
  }

  /** The link dropped: the cloud has forgotten every stream, so they end here too. */
  linkLost(): void {
    for (const stream of this.streams.values()) stream.abort();
    this.streams.clear();
  }

  private readonly onStream: { [T in PortFrameHeader["type"]]?: (stream: PortStream, frame: PortFrameOf<T>, body: Uint8Array) => void } = {
    data: (stream, frame, body) => stream.data(frame, body),
    credit: (stream, frame) => stream.credit(frame.bytes),
    end: (stream, frame) => stream.end(frame),
    reset: (stream, frame) => {
      stream.abort();
      this.streams.delete(frame.stream);
    },
  };

  private start(open: PortFrameOf<"open">): void {
    const refusal = this.refusal(open.port);
    if (refusal.reason !== undefined) return this.link.send({ type: "reset", stream: open.stream, reason: refusal.reason, status: 403 });
    if (this.streams.has(open.stream)) return this.link.send({ type: "reset", stream: open.stream, reason: "stream id already in use" });
    if (this.streams.size >= MAX_DEVICE_STREAMS) {
      return this.link.send({ type: "reset", stream: open.stream, reason: `the device serves at most ${MAX_DEVICE_STREAMS} tunnel streams at once`, status: 503 });
    }
    this.log.debug(() => `port tunnel: ${open.websocket ? "WebSocket" : open.method} 127.0.0.1:${open.port}${open.path}`);
    let stream: PortStream;
    try {
      stream = open.websocket ? new WsStream(open, this.link) : new HttpStream(open, this.link);
    } catch (error) {
      // node:http and ws refuse some valid HTTP (a duplicated subprotocol, DEL in a header, a space in the
      // path) as the stream is built: that request fails alone. A refused connection comes later, as a 502.
      const reason = `cannot forward the request to 127.0.0.1:${open.port}: ${error instanceof Error ? error.message : String(error)}`;
      this.log.warn(`port tunnel: stream ${open.stream}: ${reason}`);
      return this.link.send({ type: "reset", stream: open.stream, reason: reason.slice(0, MAX_RESET_REASON), status: 400 });
    }
    this.streams.set(open.stream, stream);
  }

  private refusal(port: number): { reason?: string } {
    return this.allowed.has(port) ? {} : { reason: `port ${port} is not in this device's tunnelPorts (its configuration allows ${[...this.allowed].join(", ") || "none"})` };
  }
}
