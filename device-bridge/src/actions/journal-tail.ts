import type { JournalEntry } from "@jetson/protocol";
import { parseJournalLine } from "../parsers/journal.js";

/**
 * The newest journal entries whose JSON together fits in maxBytes, from `journalctl -o json` read one
 * line at a time (oldest first): whatever journalctl prints, only what could be answered is held.
 * An entry's size is its JSON as the result carries it, escaping and every field included.
 */
export class JournalTail {
  private readonly kept: Array<{ entry: JournalEntry; bytes: number }> = [];
  private bytes = 0;
  /** Entries read and then left out for newer ones. */
  dropped = 0;
  /** Lines that were not a journal entry journalctl prints (cut short, or malformed): skipped. */
  unreadable = 0;
  /** Lines the host cut at MAX_LINE_BYTES, so not whole: skipped. */
  tooLong = 0;

  constructor(private readonly maxBytes: number) {}

  /** `cut`: the host handed on only the head of a longer line (see RunOptions.onStdoutLine). */
  line(text: string, cut: boolean): void {
    if (cut) {
      this.tooLong++;
      return;
    }
    let entry: JournalEntry | undefined;
    try {
      entry = parseJournalLine(text);
    } catch {
      this.unreadable++;
      return;
    }
    if (!entry) return;
    // And the comma that separates it from the next in the result.
    const bytes = Buffer.byteLength(JSON.stringify(entry)) + 1;
    this.kept.push({ entry, bytes });
    this.bytes += bytes;
    while (this.bytes > this.maxBytes) {
      const oldest = this.kept.shift();
      if (!oldest) break;
      this.bytes -= oldest.bytes;
      this.dropped++;
    }
  }

  get entries(): JournalEntry[] {
    return this.kept.map(({ entry }) => entry);
  }
}
