import type { PortFrameHeader, PortFrameOf } from "@jetson/protocol";

/** How a stream reaches the cloud, and tells the relay it is over. */
export interface StreamLink {
  send(header: PortFrameHeader, body?: Uint8Array): void;
  /** The stream ended (both ways) and can be forgotten. */
  over(stream: number): void;
}

/** One forwarded request or WebSocket on the device: what the cloud's frames do to it. */
export interface PortStream {
  data(frame: PortFrameOf<"data">, body: Uint8Array): void;
  credit(bytes: number): void;
  end(frame: PortFrameOf<"end">): void;
  /** The cloud reset it, or the link is gone: drop everything at once. */
  abort(): void;
}
