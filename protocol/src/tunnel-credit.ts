import { INITIAL_WINDOW_BYTES } from "./tunnel-frame.js";

/**
 * The sender's side of a stream's credit: it may send what the receiver granted and no more.
 * `wait()` resolves once there is credit again (or the stream is over), so a pump stops at zero.
 */
export class SendWindow {
  #available: number;
  #waiters: Array<() => void> = [];
  #closed = false;

  constructor(initial = INITIAL_WINDOW_BYTES) {
    this.#available = initial;
  }

  get available(): number {
    return this.#closed ? 0 : this.#available;
  }

  /** Takes up to `wanted` bytes of credit; answers how many may be sent now (0 when none). */
  take(wanted: number): number {
    const granted = Math.min(wanted, this.available);
    this.#available -= granted;
    return granted;
  }

  grant(bytes: number): void {
    this.#available += bytes;
    this.#wake();
  }

  /** Resolves when credit is available or the window is closed. */
  wait(): Promise<void> {
    if (this.available > 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  close(): void {
    this.#closed = true;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * The receiver's side: it counts what arrived against what it granted (a sender that overruns its
 * credit is broken or hostile, and its stream is reset), and grants back what was consumed.
 */
export class ReceiveWindow {
  #outstanding: number;

  constructor(initial = INITIAL_WINDOW_BYTES) {
    this.#outstanding = initial;
  }

  /** Counts arriving bytes; false when they exceed the credit granted. */
  arrived(bytes: number): boolean {
    this.#outstanding -= bytes;
    return this.#outstanding >= 0;
  }

  /** The receiver has handed `bytes` on: the credit to grant back. */
  consumed(bytes: number): number {
    this.#outstanding += bytes;
    return bytes;
  }
}
