/** What a session is opened for: a command, or a kill that stops one (it may take the session kept for stops). */
export type SessionUse = "command" | "kill";

interface Waiter {
  use: SessionUse;
  admit: () => void;
}

/**
 * The sessions one SSH connection has open, and those waiting for one: a request beyond its use's limit
 * waits its turn, in order, except that a kill may pass commands (its limit is higher). A wait ends early,
 * rejected, when its signal aborts: a caller that gave up never gets a session.
 */
export class SessionSlots {
  private open = 0;
  private readonly queue: Waiter[] = [];
  private readonly watchers = new Set<() => void>();

  constructor(private readonly limits: Readonly<Record<SessionUse, number>>) {}

  /** The sessions taken and not yet released. */
  get held(): number {
    return this.open;
  }

  /** Resolves once a session may be opened for `use`; the caller then holds it until it calls release. */
  take(use: SessionUse, signal?: AbortSignal): Promise<void> {
    return waitFor(signal, (admit) => {
      const waiter = { use, admit };
      this.queue.push(waiter);
      this.admit();
      return () => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
      };
    });
  }

  /** A session that was open has closed. */
  release(): void {
    this.putBack();
    for (const watcher of [...this.watchers]) watcher();
  }

  /** A session taken but never opened (the server refused it, or the connection failed): no session closed. */
  putBack(): void {
    this.open--;
    this.admit();
  }

  /** Resolves once a session that was open has closed. */
  released(signal?: AbortSignal): Promise<void> {
    return waitFor(signal, (done) => {
      this.watchers.add(done);
      return () => this.watchers.delete(done);
    });
  }

  private admit(): void {
    for (let i = 0; i < this.queue.length; ) {
      const waiter = this.queue[i];
      if (waiter && this.open < this.limits[waiter.use]) {
        this.queue.splice(i, 1);
        this.open++;
        waiter.admit();
      } else i++;
    }
  }
}

/** Waits for `enter`'s callback, or rejects with the signal's reason once it aborts (then `enter`'s returned function leaves). */
function waitFor(signal: AbortSignal | undefined, enter: (done: () => void) => () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    let leave: () => void = () => undefined;
    const abort = () => {
      leave();
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", abort, { once: true });
    leave = enter(() => {
      leave();
      signal?.removeEventListener("abort", abort);
      resolve();
    });
  });
}
