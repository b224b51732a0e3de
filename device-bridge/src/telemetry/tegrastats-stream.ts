import type { TelemetrySample } from "@jetson/protocol";
import { HostPortError, type HostPort } from "../host/port.js";
import { parseTegrastatsLine } from "../parsers/tegrastats.js";

// A stream that ended without printing a sample (a crashing tegrastats) is started again at most
// this often, so it cannot spin; one that was printing (cut by a dropped SSH connection) restarts at once.
const RESTART_AFTER_MS = 30_000;
// The longest a timer can wait in Node: the stream runs until stopped.
const FOREVER_MS = 2 ** 31 - 1;

/**
 * A running `tegrastats --interval MS`, for the fields sysfs cannot give (unreadable sysfs inside
 * a container, or without root). Keeps only its latest line. A host without tegrastats marks it
 * unavailable for good.
 */
export class TegrastatsStream {
  private controller: AbortController | undefined;
  private startedAt = -Infinity;
  private diedSilent = false;
  private linesThisRun = 0;
  private last: { at: number; sample: TelemetrySample } | undefined;
  private missing = false;

  constructor(
    private readonly host: HostPort,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get unavailable(): boolean {
    return this.missing;
  }

  /** Starts the stream unless it runs, is missing, or keeps dying young. */
  ensureRunning(): void {
    const crashLooping = this.diedSilent && this.now() - this.startedAt < RESTART_AFTER_MS;
    if (this.controller || this.missing || crashLooping) return;
    const controller = new AbortController();
    this.controller = controller;
    this.startedAt = this.now();
    this.linesThisRun = 0;
    this.host
      .run("tegrastats", ["--interval", String(this.intervalMs)], {
        signal: controller.signal,
        timeoutMs: FOREVER_MS,
        onStdoutLine: (line) => {
          this.linesThisRun++;
          this.take(line);
        },
      })
      .catch((error: unknown) => {
        if (error instanceof HostPortError) this.missing = true;
      })
      .finally(() => {
        this.diedSilent = this.linesThisRun === 0;
        if (this.controller === controller) this.controller = undefined;
      });
  }

  /** The latest sample, if it is recent enough to stand for now. */
  latest(maxAgeMs: number): TelemetrySample | undefined {
    return this.last && this.now() - this.last.at <= maxAgeMs ? this.last.sample : undefined;
  }

  stop(): void {
    this.controller?.abort();
    this.controller = undefined;
  }

  private take(line: string): void {
    try {
      this.last = { at: this.now(), sample: parseTegrastatsLine(line) };
    } catch {
      // tegrastats may print a warning among its samples.
    }
  }
}
