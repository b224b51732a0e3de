import type { LogLine } from "@jetson/protocol";
import { LineSplitter, utf8Head } from "../host/output.js";

const HEADER_BYTES = 8;
/** Byte 0 of a frame header: which stream the frame's payload came from (0 is stdin, never logged). */
const STREAMS: Record<number, LogLine["stream"] | undefined> = { 1: "stdout", 2: "stderr" };
const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) ?/;

/**
 * Turns the Engine's log stream into lines. Without a TTY the stream is multiplexed: frames of
 * an 8-byte header (stream, 3 zero bytes, big-endian payload length) and the payload; a frame may
 * end mid-line and a chunk may end mid-frame. Only the newest lines within `maxBytes` are kept.
 */
export class LogCollector {
  private pending: Buffer = Buffer.alloc(0);
  private readonly splitters = new Map<LogLine["stream"], LineSplitter>();
  private readonly kept: LogLine[] = [];
  private keptBytes = 0;
  private dropped = false;

  constructor(private readonly options: { tty: boolean; maxBytes: number }) {}

  add(chunk: Buffer): void {
    if (this.options.tty) return this.addPayload("stdout", chunk);
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let offset = 0;
    while (this.pending.length - offset >= HEADER_BYTES) {
      const size = this.pending.readUInt32BE(offset + 4);
      if (this.pending.length - offset - HEADER_BYTES < size) break;
      const stream = STREAMS[this.pending[offset] ?? 0];
      const payload = this.pending.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + size);
      if (stream) this.addPayload(stream, payload);
      offset += HEADER_BYTES + size;
    }
    this.pending = this.pending.subarray(offset);
  }

  finish(): { lines: LogLine[]; truncated: boolean } {
    for (const splitter of this.splitters.values()) splitter.flush();
    this.splitters.clear();
    return { lines: this.kept, truncated: this.dropped };
  }

  private addPayload(stream: LogLine["stream"], payload: Buffer): void {
    let splitter = this.splitters.get(stream);
    if (!splitter) {
      splitter = new LineSplitter((line, cut) => {
        if (cut) this.dropped = true;
        this.keep(stream, line);
      });
      this.splitters.set(stream, splitter);
    }
    splitter.add(payload);
  }

  private keep(stream: LogLine["stream"], line: string): void {
    let text = line.replace(/\r$/, "");
    const stamp = TIMESTAMP.exec(text);
    if (stamp) text = text.slice(stamp[0].length);
    if (Buffer.byteLength(text) > this.options.maxBytes) {
      text = utf8Head(Buffer.from(text), this.options.maxBytes);
      this.dropped = true;
    }
    this.kept.push(stamp?.[1] ? { stream, time: stamp[1], text } : { stream, text });
    this.keptBytes += Buffer.byteLength(text);
    while (this.keptBytes > this.options.maxBytes) {
      const oldest = this.kept.shift();
      if (!oldest) break;
      this.keptBytes -= Buffer.byteLength(oldest.text);
      this.dropped = true;
    }
  }
}

/** The Engine's `since` (Unix seconds) from an ISO time or a span back from now such as 15m. */
export function sinceSeconds(since: string, now = Date.now()): number {
  const span = /^(\d+)([smhd])$/.exec(since);
  if (!span) return Math.floor(Date.parse(since) / 1000);
  const unit: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };
  return Math.floor(now / 1000) - Number(span[1]) * (unit[span[2] ?? "s"] ?? 1);
}
