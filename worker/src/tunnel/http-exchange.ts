import { MAX_CHUNK_BYTES, type PortFrameOf } from "@jetson/protocol";
import { Exchange, type SendFrame } from "./exchange.js";
import { tunnelResponseHeaders } from "./tunnel-headers.js";

/** Statuses whose response has no body (a Response with one is refused). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * An HTTP request through the tunnel. The request body goes to the device within its credit; the
 * response body is a ReadableStream pulled by the client: each chunk handed on grants the device
 * that much credit again, so what waits in this object is at most one window.
 */
export class HttpExchange extends Exchange {
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  /** The answer has no body (a HEAD, a 204, a 304): whatever the device sends after it is dropped. */
  private bodiless = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(
    stream: number,
    tunnelId: string,
    socket: WebSocket,
    sendFrame: SendFrame,
    forget: (stream: number) => void,
    /** The request's path (and query) on the device: where its answer's Location is relative to. */
    private readonly path: string,
    /** A HEAD's answer has headers only. */
    private readonly method: string,
  ) {
    super(stream, tunnelId, socket, sendFrame, forget);
  }

  /** Sends the request's body (none for a GET), then its end. */
  async upload(body: ReadableStream<Uint8Array> | null): Promise<void> {
    if (body) {
      const reader = body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (let offset = 0; offset < value.length; ) {
          await this.outbound.wait();
          if (this.over) return void reader.cancel().catch(() => undefined);
          const size = this.outbound.take(Math.min(value.length - offset, MAX_CHUNK_BYTES));
          this.sendFrame({ type: "data", stream: this.stream }, value.subarray(offset, offset + size));
          offset += size;
        }
      }
    }
    if (!this.over) this.sendFrame({ type: "end", stream: this.stream });
  }

  answer(frame: PortFrameOf<"response">): void {
    if (this.answered) return this.abort("a second response");
    let headers: Headers;
    try {
      headers = tunnelResponseHeaders(frame.headers, this.path);
    } catch {
      return this.abort("the device's server sent a header this Worker cannot forward");
    }
    if (frame.status < 200) return this.abort(`status ${frame.status} is not forwarded`);
    if (NULL_BODY.has(frame.status) || this.method === "HEAD") {
      this.bodiless = true;
      if (NULL_BODY.has(frame.status)) headers.delete("content-length");
      return this.respond(new Response(null, { status: frame.status, headers }));
    }
    const length = declaredLength(headers);
    headers.delete("content-length");
    // The device's bytes are already encoded as its Content-Encoding says: the runtime must not encode them again.
    const encodeBody = headers.has("content-encoding") ? "manual" : "automatic";
    this.respond(new Response(length === undefined ? this.body() : this.fixedLength(length), { status: frame.status, headers, encodeBody }));
  }

  data(_frame: PortFrameOf<"data">, body: Uint8Array): void {
    if (!this.answered) return this.abort("data before the response");
    if (!this.arrived(body.length) || this.bodiless) return;
    // Copied out of the socket message the frame came in.
    this.chunks.push(body.slice());
    this.poke();
  }

  end(): void {
    this.ended = true;
    if (this.bodiless) return this.finish();
    this.poke();
    if (!this.answered) this.reset("the device ended the stream without a response");
  }

  protected broken(reason: string): void {
    this.failure = new Error(`the tunnel stream broke: ${reason}`);
    this.poke();
  }

  private body(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          while (this.chunks.length === 0 && !this.ended && !this.failure) await new Promise<void>((resolve) => (this.wake = resolve));
          if (this.failure) return controller.error(this.failure);
          const chunk = this.chunks.shift();
          if (!chunk) {
            controller.close();
            return this.finish();
          }
          controller.enqueue(chunk);
          if (chunk.length > 0) this.sendFrame({ type: "credit", stream: this.stream, bytes: this.inbound.consumed(chunk.length) });
        },
        cancel: () => this.abort("the client went away"),
      },
      // Nothing is read ahead of the client: the device's credit is the only buffer.
      { highWaterMark: 0 },
    );
  }

  /**
   * A body of known length goes out with its Content-Length: a client then sees a body cut short
   * (the device vanished) as an error, where the end of a chunked body would look like a clean end.
   */
  private fixedLength(length: number): ReadableStream<Uint8Array> {
    const fixed = new FixedLengthStream(length);
    this.body()
      .pipeTo(fixed.writable)
      .catch(() => undefined);
    return fixed.readable;
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** The device's Content-Length, when it is a plain number. */
function declaredLength(headers: Headers): number | undefined {
  const value = headers.get("content-length");
  return value !== null && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}
