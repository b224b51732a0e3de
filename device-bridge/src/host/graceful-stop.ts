/** How long a program being stopped has between SIGTERM and SIGKILL, unless the host options say otherwise. */
export const DEFAULT_STOP_GRACE_MS = 5_000;

export type StopSignal = "SIGTERM" | "SIGKILL";

/**
 * Stops a program SIGTERM first, then SIGKILL once a bounded grace has passed. Through sudo only this
 * order works: sudo relays SIGTERM to the program it runs as root, while an unprivileged bridge's
 * SIGKILL reaches sudo alone and leaves the program running.
 */
export class GracefulStop {
  private timer: NodeJS.Timeout | undefined;
  private begun = false;

  constructor(
    private readonly send: (signal: StopSignal) => void,
    private readonly graceMs: number,
  ) {}

  begin(): void {
    if (this.begun) return;
    this.begun = true;
    this.send("SIGTERM");
    this.timer = setTimeout(() => this.send("SIGKILL"), this.graceMs);
  }

  /** The program has ended: nothing more to send. */
  ended(): void {
    clearTimeout(this.timer);
  }
}
