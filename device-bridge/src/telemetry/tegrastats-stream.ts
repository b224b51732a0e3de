import type { TelemetrySample } from "@jetson/protocol";
import { HostPortError, type HostPort } from "../host/port.js";
import { createLogger, type Logger } from "../log.js";
import { readTegrastatsLine, type TegrastatsReading } from "../parsers/tegrastats.js";

// A stream that ended without printing a sample (a crashing tegrastats) is started again at most
// this often, so it cannot spin; one that was printing (cut by a dropped SSH connection) restarts at once.
const RESTART_AFTER_MS = 30_000;
// The longest a timer can wait in Node: the stream runs until stopped.
const FOREVER_MS = 2 ** 31 - 1;

/**
 * A running `tegrastats --interval MS`, for the fields sysfs cannot give (unreadable sysfs inside
 * a container, or without root). Keeps only its latest line. A host without tegrastats marks it
 * unavailable for good. A field it cannot read leaves the rest of the line in the sample; it is
 * counted, and logged the first time only.
 */
export class TegrastatsStream {
  private controller: AbortController | undefined;
  private startedAt = -Infinity;
  private diedSilent = false;
  private linesThisRun = 0;
  private last: { at: number; sample: TelemetrySample } | undefined;
  private missing = false;
  private readonly unread = new Map<string, number>();

  constructor(
    private readonly host: HostPort,
    private readonly intervalMs: number,
    private readonly log: Logger = createLogger("tegrastats"),
    private readonly now: () => number = Date.now,
  ) {}

  get unavailable(): boolean {
    return this.missing;
  }

  /** How many times each unreadable field (by its first word) was met. */
  get unreadCounts(): ReadonlyMap<string, number> {
    return this.unread;
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
    const reading = readable(line);
    if (!reading) return;
    this.last = { at: this.now(), sample: reading.sample };
    for (const token of reading.unread) {
      // Keyed by the field's name: a value that changes every line is still one field.
      const field = token.split(" ")[0] as string;
      const seen = this.unread.get(field) ?? 0;
      this.unread.set(field, seen + 1);
      if (seen === 0) this.log.warn(`tegrastats: cannot read ${JSON.stringify(token)}; left out, the rest of each line is kept (logged once)`);
    }
  }
}

/** tegrastats may print a warning among its samples: not a sample, and nothing to count. */
function readable(line: string): TegrastatsReading | undefined {
  try {
    return readTegrastatsLine(line);
  } catch {
    return undefined;
  }
}
