import { type PortFrameHeader, type PortFrameOf, ReceiveWindow, SendWindow } from "@jetson/protocol";
import { tunnelNotice } from "./tunnel-headers.js";

export type SendFrame = (header: PortFrameHeader, body?: Uint8Array) => void;

/**
 * One request or WebSocket through the tunnel, seen from the device's object: its credit both ways,
 * the device's answer (a Response for the Worker), and its end. Subclasses move the bytes.
 */
export abstract class Exchange {
  protected readonly outbound = new SendWindow();
  protected readonly inbound = new ReceiveWindow();
  /** Resolves once, with what the client gets: the device's answer, or why there is none. */
  readonly response: Promise<Response>;
  protected answered = false;
  protected over = false;
  private settle!: (response: Response) => void;

  constructor(
    readonly stream: number,
    readonly tunnelId: string,
    /** The device socket the stream runs on: when it closes, the stream ends. */
    readonly socket: WebSocket,
    protected readonly sendFrame: SendFrame,
    private readonly forget: (stream: number) => void,
  ) {
    this.response = new Promise((resolve) => (this.settle = resolve));
  }

  /** The device's response frame. */
  abstract answer(frame: PortFrameOf<"response">): void;
  /** Bytes from the device (counted against the credit this side granted). */
  abstract data(frame: PortFrameOf<"data">, body: Uint8Array): void;
  /** The device has no more to send. */
  abstract end(frame: PortFrameOf<"end">): void;
  /** Ends the stream at once: before an answer the client gets `status`, after it a broken body or a closed socket. */
  protected abstract broken(reason: string): void;

  credit(bytes: number): void {
    this.outbound.grant(bytes);
  }

  /** The device reset the stream (or the link is gone, or a limit was hit here). */
  reset(reason: string, status = 502): void {
    if (this.over) return;
    if (!this.answered) this.respond(tunnelNotice(status, reason));
    else this.broken(reason);
    this.finish();
  }

  /** Resets here and tells the device. */
  abort(reason: string, status?: number): void {
    if (this.over) return;
    this.sendFrame({ type: "reset", stream: this.stream, reason });
    this.reset(reason, status);
  }

  protected respond(response: Response): void {
    this.answered = true;
    this.settle(response);
  }

  /** Counts arriving bytes; a device that overruns its credit loses the stream. */
  protected arrived(bytes: number): boolean {
    if (this.inbound.arrived(bytes)) return true;
    this.abort("the device sent more than its credit");
    return false;
  }

  protected finish(): void {
    this.over = true;
    this.outbound.close();
    this.forget(this.stream);
  }
}
