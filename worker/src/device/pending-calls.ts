import type { InvokeOutcome, ProgressListener } from "./invoke.js";

interface PendingCall {
  resolve(outcome: InvokeOutcome): void;
  onProgress: ProgressListener | undefined;
}

/** Invocations waiting in this object for their device's answer; in memory, since the caller's RPC is too. */
export class PendingCalls {
  private readonly calls = new Map<string, PendingCall>();

  /** Sends the command with `send`, then waits for its outcome; `timedOut` runs if none came within `timeoutMs`. */
  async wait(id: string, onProgress: ProgressListener | undefined, send: () => void, timeoutMs: number, timedOut: () => void): Promise<InvokeOutcome> {
    const outcome = new Promise<InvokeOutcome>((resolve) => this.calls.set(id, { resolve, onProgress }));
    send();
    const timer = setTimeout(timedOut, timeoutMs);
    try {
      return await outcome;
    } finally {
      clearTimeout(timer);
      this.calls.delete(id);
    }
  }

  progress(id: string, progress: Parameters<ProgressListener>[0]): void {
    this.calls.get(id)?.onProgress?.(progress);
  }

  /** Answers the call waiting for this command; false when none waits in this object's life. */
  resolve(id: string, outcome: InvokeOutcome): boolean {
    const call = this.calls.get(id);
    call?.resolve(outcome);
    return call !== undefined;
  }

  waits(id: string): boolean {
    return this.calls.has(id);
  }
}
