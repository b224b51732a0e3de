import { forwardableHeaders, INITIAL_WINDOW_BYTES, MAX_WS_MESSAGE_BYTES, type PortFrameOf, ReceiveWindow, sendableCloseCode } from "@jetson/protocol";
import WebSocket from "ws";
import { headerObject, rawPairs } from "./http-stream.js";
import { Outbox } from "./outbox.js";
import type { PortStream, StreamLink } from "./stream.js";

/** Close code for a message over MAX_WS_MESSAGE_BYTES (RFC 6455: message too big). */
const TOO_BIG = 1009;

/**
 * A WebSocket to 127.0.0.1:port (the same `ws` package mqtt.js dials with). Messages from the local
 * server go out through an Outbox, the socket paused while it waits for credit; messages from the
 * cloud arrive in parts and are sent whole. Their credit goes back while the socket has less than a
 * window waiting to be written, and otherwise once it is written: a local server that reads slowly
 * holds the cloud's sender back instead of filling the bridge's memory.
 */
export class WsStream implements PortStream {
  private readonly socket: WebSocket;
  private readonly inbound = new ReceiveWindow();
  private readonly outbox: Outbox;
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** Bytes taken from the cloud whose credit is held back until the socket has written what it holds. */
  private owed = 0;
  private opened = false;

  constructor(
    private readonly open: PortFrameOf<"open">,
    private readonly link: StreamLink,
  ) {
    const { stream, port } = open;
    this.outbox = new Outbox(stream, link.send, (reading) => (reading ? this.socket.resume() : this.socket.pause()), () => link.over(stream));
    const headers = headerObject(forwardableHeaders(open.headers));
    const protocols = (headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim()).filter(Boolean);
    delete headers["sec-websocket-protocol"];
    this.socket = new WebSocket(`ws://127.0.0.1:${port}${open.path}`, protocols, { headers, perMessageDeflate: false, maxPayload: MAX_WS_MESSAGE_BYTES });
    this.socket.on("open", () => {
      this.opened = true;
      const chosen: Array<[string, string]> = this.socket.protocol ? [["sec-websocket-protocol", this.socket.protocol]] : [];
      link.send({ type: "response", stream, status: 101, headers: chosen });
    });
    this.socket.on("unexpected-response", (_request, response) => {
      link.send({ type: "response", stream, status: response.statusCode ?? 502, headers: forwardableHeaders(rawPairs(response.rawHeaders)) });
      response.resume();
      this.finish();
    });
    this.socket.on("message", (data: Buffer, isBinary: boolean) => this.outbox.push(data, { text: !isBinary }));
    this.socket.on("close", (code, reason) => this.outbox.end(code, reason.toString()));
    this.socket.on("error", (error) => {
      if (!this.opened) this.fail(`127.0.0.1:${port}: ${error.message}`, 502);
    });
  }

  data(frame: PortFrameOf<"data">, body: Uint8Array): void {
    if (!this.inbound.arrived(body.length)) return this.fail("the cloud sent more than its credit");
    this.partBytes += body.length;
    if (this.partBytes > MAX_WS_MESSAGE_BYTES) {
      this.socket.close(TOO_BIG, "message too big");
      return this.fail("a message over the tunnel's limit");
    }
    this.parts.push(Buffer.from(body));
    this.owed += body.length;
    if (!frame.more) {
      const message = Buffer.concat(this.parts);
      this.parts = [];
      this.partBytes = 0;
      this.socket.send(message, { binary: frame.text !== true }, (error) => {
        if (!error) this.grant();
      });
    }
    this.grant();
  }

  credit(bytes: number): void {
    this.outbox.credit(bytes);
  }

  end(frame: PortFrameOf<"end">): void {
    this.socket.close(frame.code !== undefined && sendableCloseCode(frame.code) ? frame.code : 1000, frame.reason);
  }

  abort(): void {
    this.outbox.close();
    this.socket.terminate();
  }

  /** Grants the cloud what it is owed, unless the socket still has a window or more to write. */
  private grant(): void {
    if (this.owed === 0 || this.socket.bufferedAmount >= INITIAL_WINDOW_BYTES) return;
    this.link.send({ type: "credit", stream: this.open.stream, bytes: this.inbound.consumed(this.owed) });
    this.owed = 0;
  }

  /** The local server refused the upgrade: its answer was sent; the stream is over. */
  private finish(): void {
    this.outbox.close();
    this.link.send({ type: "end", stream: this.open.stream });
    this.link.over(this.open.stream);
  }

  private fail(reason: string, status?: number): void {
    this.abort();
    this.link.send({ type: "reset", stream: this.open.stream, reason, ...(status !== undefined && { status }) });
    this.link.over(this.open.stream);
  }
}
