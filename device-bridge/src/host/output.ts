/** Output handling both host ports share: a byte cap, lines as they arrive, the run's result. */

import type { RunResult } from "./port.js";

/** The longest line handed on; the rest of a longer one is dropped up to its newline, so a stream without newlines cannot fill memory. */
export const MAX_LINE_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * Calls back once per complete line of a byte stream. It splits bytes, not text: a newline byte never
 * occurs inside a UTF-8 character, so a character cut between two chunks is decoded whole.
 */
export class LineSplitter {
  private rest: Buffer = Buffer.alloc(0);
  /** The current line passed MAX_LINE_BYTES and was handed on: skip to its end. */
  private skipping = false;

  /** `cut`: the line was longer than MAX_LINE_BYTES and this is its head. */
  constructor(private readonly onLine: (line: string, cut: boolean) => void) {}

  add(chunk: Buffer): void {
    let data = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    for (let newline = data.indexOf(NEWLINE); newline >= 0; newline = data.indexOf(NEWLINE)) {
      if (!this.skipping) this.onLine(utf8Head(data.subarray(0, newline), MAX_LINE_BYTES), newline > MAX_LINE_BYTES);
      this.skipping = false;
      data = data.subarray(newline + 1);
    }
    if (data.length > MAX_LINE_BYTES && !this.skipping) {
      this.onLine(utf8Head(data, MAX_LINE_BYTES), true);
      this.skipping = true;
    }
    this.rest = this.skipping ? Buffer.alloc(0) : Buffer.from(data);
  }

  flush(): void {
    if (this.rest.length) this.onLine(this.rest.toString("utf8"), false);
    this.rest = Buffer.alloc(0);
    this.skipping = false;
  }
}

/** At most `max` bytes of UTF-8 as text, never ending in half a character. */
export function utf8Head(bytes: Buffer, max: number): string {
  if (bytes.length <= max) return bytes.toString("utf8");
  let end = max;
  // Back off continuation bytes (10xxxxxx) to the start of the character that was cut.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8");
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
    return utf8Head(Buffer.concat(this.chunks), this.cap);
  }
}

/**
 * Lines for a caller's callback; a callback that throws stops the program
 * (`stop`) and its error becomes the run's, instead of crashing the process.
 */
export class GuardedLines {
  error: unknown;
  private readonly splitter: LineSplitter;

  constructor(onLine: (line: string, cut: boolean) => void, stop: () => void) {
    this.splitter = new LineSplitter((line, cut) => {
      if (this.error !== undefined) return;
      try {
        onLine(line, cut);
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
