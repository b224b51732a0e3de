import { MAX_CHUNK_BYTES, type PortFrameHeader, type PortFrameOf, SendWindow } from "@jetson/protocol";

type Send = (header: PortFrameHeader, body?: Uint8Array) => void;

interface Pending {
  bytes: Uint8Array;
  /** Set for a WebSocket message: its frames say text or binary, and `more` until its last. */
  message?: { text: boolean };
}

/**
 * What one stream sends to the cloud: bytes wait here until the cloud grants credit, are cut into
 * frames of at most MAX_CHUNK_BYTES, and the stream's `end` follows the last of them. The source
 * pauses while `backlogged` is true, so what waits here is about one chunk of the source's.
 */
export class Outbox {
  private readonly queue: Pending[] = [];
  private readonly window = new SendWindow();
  private finish: PortFrameOf<"end"> | undefined;
  private done = false;

  constructor(
    private readonly stream: number,
    private readonly send: Send,
    /** The source may read again (true) or should pause (false). */
    private readonly flow: (reading: boolean) => void,
    private readonly finished: () => void,
  ) {}

  get backlogged(): boolean {
    return this.queue.length > 0;
  }

  push(bytes: Uint8Array, message?: { text: boolean }): void {
    this.queue.push({ bytes, message });
    this.flush();
  }

  end(code?: number, reason?: string): void {
    this.finish = { type: "end", stream: this.stream, ...(code !== undefined && { code }), ...(reason && { reason: reason.slice(0, 123) }) };
    this.flush();
  }

  credit(bytes: number): void {
    this.window.grant(bytes);
    this.flush();
  }

  /** The stream is over (reset, link lost): nothing more is sent. */
  close(): void {
    this.done = true;
    this.queue.length = 0;
    this.window.close();
  }

  private flush(): void {
    if (this.done) return;
    while (this.queue.length > 0) {
      const item = this.queue[0]!;
      const size = this.window.take(Math.min(item.bytes.length, MAX_CHUNK_BYTES));
      if (size === 0 && item.bytes.length > 0) break;
      const rest = item.bytes.subarray(size);
      const more = rest.length > 0;
      const framing = item.message ? { text: item.message.text, ...(more && { more }) } : {};
      this.send({ type: "data", stream: this.stream, ...framing }, item.bytes.subarray(0, size));
      if (more) item.bytes = rest;
      else this.queue.shift();
    }
    this.flow(this.queue.length === 0);
    if (this.queue.length === 0 && this.finish) {
      this.send(this.finish);
      this.finish = undefined;
      this.done = true;
      this.finished();
    }
  }
}
