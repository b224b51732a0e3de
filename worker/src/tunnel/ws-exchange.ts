import { concatBytes, MAX_CHUNK_BYTES, MAX_WS_MESSAGE_BYTES, type PortFrameOf, sendableCloseCode } from "@jetson/protocol";
import { Exchange } from "./exchange.js";
import { tunnelNotice } from "./tunnel-headers.js";

/**
 * A client's messages wait here while the device grants no credit (a WebSocket accepted in a Worker
 * cannot be paused); past this much the client is sending faster than the device reads, and is closed.
 */
const MAX_QUEUED_BYTES = 2 * MAX_WS_MESSAGE_BYTES;

/**
 * What one WebSocket carries from the device to its client, at most. A socket accepted in a Worker
 * tells nothing of what its client has read (workerd has no bufferedAmount, and send() queues without
 * limit), so the object cannot hold the device's server back as it does a download's: a client that
 * stopped reading would fill the object's memory. Past this much the socket is closed instead.
 */
export const MAX_WS_DELIVERED_BYTES = 16 * MAX_WS_MESSAGE_BYTES;

/** Close codes (RFC 6455 7.4.1): policy violation, message too big, internal error. */
const CLOSE = { policy: 1008, tooBig: 1009, error: 1011 } as const;

/**
 * A WebSocket through the tunnel: the Worker accepts the client's upgrade once the device's side
 * is open (status 101), then relays messages both ways, each cut into frames within the credit.
 */
export class WsExchange extends Exchange {
  private server: WebSocket | undefined;
  private queuedBytes = 0;
  private sending: Promise<void> = Promise.resolve();
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  private deliveredBytes = 0;

  answer(frame: PortFrameOf<"response">): void {
    if (this.answered) return this.abort("a second response");
    if (frame.status !== 101) {
      this.respond(tunnelNotice(502, `The device's server refused the WebSocket (status ${frame.status}).`));
      return this.finish();
    }
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    server.accept();
    // Binary messages as ArrayBuffers, not Blobs.
    server.binaryType = "arraybuffer";
    this.server = server;
    server.addEventListener("message", (event) => this.fromClient(event.data));
    server.addEventListener("close", (event) => {
      if (this.over) return;
      this.sendFrame({ type: "end", stream: this.stream, ...(event.code !== 1005 && { code: event.code }), ...(event.reason && { reason: event.reason.slice(0, 123) }) });
      this.finish();
    });
    server.addEventListener("error", () => this.abort("the client's WebSocket failed"));
    const protocol = frame.headers.find(([name]) => name.toLowerCase() === "sec-websocket-protocol")?.[1];
    this.respond(new Response(null, { status: 101, webSocket: client, headers: protocol ? { "sec-websocket-protocol": protocol } : {} }));
  }

  data(frame: PortFrameOf<"data">, body: Uint8Array): void {
    if (!this.server || !this.arrived(body.length)) return;
    this.deliveredBytes += body.length;
    if (this.deliveredBytes > MAX_WS_DELIVERED_BYTES) return this.closeClient(CLOSE.policy, "over the tunnel limit for one WebSocket");
    this.partBytes += body.length;
    if (this.partBytes > MAX_WS_MESSAGE_BYTES) return this.abort("a message over the tunnel's limit");
    this.parts.push(body.slice());
    if (body.length > 0) this.sendFrame({ type: "credit", stream: this.stream, bytes: this.inbound.consumed(body.length) });
    if (frame.more) return;
    const message = concatBytes(this.parts, this.partBytes);
    this.parts = [];
    this.partBytes = 0;
    try {
      this.server.send(frame.text ? new TextDecoder().decode(message) : message);
    } catch {
      this.abort("the client's WebSocket is closed");
    }
  }

  end(frame: PortFrameOf<"end">): void {
    if (!this.server) return this.reset("the device ended the stream without a response");
    closeQuietly(this.server, frame.code !== undefined && sendableCloseCode(frame.code) ? frame.code : 1000, frame.reason ?? "");
    this.finish();
  }

  protected broken(reason: string): void {
    if (this.server) closeQuietly(this.server, CLOSE.error, reason.slice(0, 120));
  }

  private fromClient(data: string | ArrayBuffer): void {
    const text = typeof data === "string";
    const bytes = text ? new TextEncoder().encode(data) : new Uint8Array(data);
    if (bytes.length > MAX_WS_MESSAGE_BYTES) return this.closeClient(CLOSE.tooBig, "message too big for the tunnel");
    this.queuedBytes += bytes.length;
    if (this.queuedBytes > MAX_QUEUED_BYTES) return this.closeClient(CLOSE.policy, "sending faster than the device reads");
    this.sending = this.sending.then(() => this.sendMessage(bytes, text));
  }

  /** One message in frames of at most MAX_CHUNK_BYTES, each waiting for credit; `more` on all but the last. */
  private async sendMessage(bytes: Uint8Array, text: boolean): Promise<void> {
    let offset = 0;
    do {
      await this.outbound.wait();
      if (this.over) return;
      const size = this.outbound.take(Math.min(bytes.length - offset, MAX_CHUNK_BYTES));
      if (size === 0 && bytes.length > 0) continue;
      const more = offset + size < bytes.length;
      this.sendFrame({ type: "data", stream: this.stream, text, ...(more && { more }) }, bytes.subarray(offset, offset + size));
      offset += size;
      this.queuedBytes -= size;
    } while (offset < bytes.length);
  }

  private closeClient(code: number, reason: string): void {
    if (this.server) closeQuietly(this.server, code, reason);
    this.abort(reason);
  }
}

function closeQuietly(socket: WebSocket, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // Already closed.
  }
}
