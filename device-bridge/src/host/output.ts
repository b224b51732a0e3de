/** Output handling both host ports share: a byte cap, lines as they arrive, the run's result. */

import type { RunResult } from "./port.js";

/** Calls back once per complete line of a byte stream. */
export class LineSplitter {
  private rest = "";

  constructor(private readonly onLine: (line: string) => void) {}

  add(chunk: Buffer): void {
    const parts = (this.rest + chunk.toString("utf8")).split("\n");
    this.rest = parts.pop() ?? "";
    for (const line of parts) this.onLine(line);
  }

  flush(): void {
    if (this.rest) this.onLine(this.rest);
    this.rest = "";
  }
}

/** Collects a stream's text up to a byte cap, remembering that it cut. */
export class CappedText {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly cap: number) {}

  add(chunk: Buffer): void {
    const room = this.cap - this.size;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (kept !== chunk) this.truncated = true;
    this.chunks.push(kept);
    this.size += kept.length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

/**
 * Lines for a caller's callback; a callback that throws stops the program
 * (`stop`) and its error becomes the run's, instead of crashing the process.
 */
export class GuardedLines {
  error: unknown;
  private readonly splitter: LineSplitter;

  constructor(onLine: (line: string) => void, stop: () => void) {
    this.splitter = new LineSplitter((line) => {
      if (this.error !== undefined) return;
      try {
        onLine(line);
      } catch (error) {
        this.error = error;
        stop();
      }
    });
  }

  add(chunk: Buffer): void {
    this.splitter.add(chunk);
  }

  flush(): void {
    this.splitter.flush();
  }
}

/** A finished run as both ports report it: how it ended, and its capped output. */
export function runResult(
  ending: Pick<RunResult, "exitCode" | "signal" | "timedOut" | "aborted">,
  out: CappedText,
  err: CappedText,
): RunResult {
  return { ...ending, stdout: out.text(), stderr: err.text(), truncated: out.truncated || err.truncated };
}
