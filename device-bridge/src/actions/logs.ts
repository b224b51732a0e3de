import type { JournalEntry } from "@jetson/protocol";
import { parseJournalLine } from "../parsers/journal.js";
import { programFailed } from "./run-checked.js";
import type { HandlerTable } from "./types.js";

// What an entry costs against maxBytes besides its message (time, unit, names).
const ENTRY_OVERHEAD = 100;

export const logHandlers = {
  "logs.journal": async ({ unit, lines, since, priority, maxBytes }, { host, signal }) => {
    const args = [
      "--output=json",
      "--no-pager",
      "--quiet",
      `--lines=${lines}`,
      ...(since ? [`--since=${since}`] : []),
      ...(unit ? [`--unit=${unit}`] : []),
      ...(priority ? [`--priority=${priority}`] : []),
    ];
    const result = await host.run("journalctl", args, { timeoutMs: 25_000, signal, maxOutputBytes: 16 << 20 });
    if (result.exitCode !== 0) throw programFailed("journalctl", args, result);
    const entries = result.stdout.split("\n").flatMap((line) => parseJournalLine(line) ?? []);
    const kept = newestWithin(entries, maxBytes);
    return {
      entries: kept,
      truncated: kept.length < entries.length || result.truncated,
      // journalctl shows a user outside the journal groups only that user's own entries, and says so on stderr.
      warning: /not seeing messages from other users and the system/.test(result.stderr)
        ? "The bridge's user sees only its own journal entries: add it to the systemd-journal group (usermod -aG systemd-journal <user>) and restart the bridge."
        : undefined,
    };
  },
} satisfies Partial<HandlerTable>;

function newestWithin(entries: readonly JournalEntry[], maxBytes: number): JournalEntry[] {
  let size = 0;
  let first = entries.length;
  while (first > 0) {
    const cost = Buffer.byteLength((entries[first - 1] as JournalEntry).message) + ENTRY_OVERHEAD;
    if (size + cost > maxBytes) break;
    size += cost;
    first--;
  }
  return entries.slice(first);
}
