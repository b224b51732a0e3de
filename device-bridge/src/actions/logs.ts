import { MAX_LINE_BYTES } from "../host/output.js";
import { JOURNAL_FIELDS } from "../parsers/journal.js";
import { JournalTail } from "./journal-tail.js";
import { programFailed } from "./run-checked.js";
import type { HandlerTable } from "./types.js";

// The entries come line by line (JournalTail); what the run keeps of the output is for stderr's messages.
const MAX_KEPT_OUTPUT_BYTES = 64 * 1024;

export const logHandlers = {
  "logs.journal": async ({ unit, lines, since, priority, maxBytes }, { host, signal }) => {
    const args = [
      "--output=json",
      "--no-pager",
      "--quiet",
      `--output-fields=${JOURNAL_FIELDS.join(",")}`,
      `--lines=${lines}`,
      ...(since ? [`--since=${since}`] : []),
      ...(unit ? [`--unit=${unit}`] : []),
      ...(priority ? [`--priority=${priority}`] : []),
    ];
    const tail = new JournalTail(maxBytes);
    const result = await host.run("journalctl", args, { timeoutMs: 25_000, signal, maxOutputBytes: MAX_KEPT_OUTPUT_BYTES, onStdoutLine: (line, cut) => tail.line(line, cut) });
    if (result.exitCode !== 0) throw programFailed("journalctl", args, result);
    const warnings = [
      // journalctl shows a user outside the journal groups only that user's own entries, and says so on stderr.
      /not seeing messages from other users and the system/.test(result.stderr)
        ? "The bridge's user sees only its own journal entries: add it to the systemd-journal group (usermod -aG systemd-journal <user>) and restart the bridge."
        : undefined,
      tail.tooLong > 0
        ? `${tail.tooLong} journal ${tail.tooLong === 1 ? "entry was" : "entries were"} too long to read (over ${MAX_LINE_BYTES / 1024} KiB of JSON) and left out.`
        : undefined,
      tail.unreadable > 0 ? `${tail.unreadable} journal ${tail.unreadable === 1 ? "entry" : "entries"} could not be read (cut short or malformed) and ${tail.unreadable === 1 ? "was" : "were"} left out.` : undefined,
    ].filter((warning) => warning !== undefined);
    return {
      entries: tail.entries,
      truncated: tail.dropped > 0,
      warning: warnings.length > 0 ? warnings.join(" ") : undefined,
    };
  },
} satisfies Partial<HandlerTable>;
