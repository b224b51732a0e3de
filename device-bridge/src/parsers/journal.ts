import { JOURNAL_PRIORITIES, type JournalEntry } from "@jetson/protocol";
import { z } from "zod";

// journalctl -o json: one object per line, every value a string, except a MESSAGE that is not valid
// UTF-8 (an array of bytes) or too large to show (null).
const RecordSchema = z.object({
  __REALTIME_TIMESTAMP: z.string().regex(/^\d+$/),
  PRIORITY: z.string().regex(/^[0-7]$/).optional(),
  MESSAGE: z.union([z.string(), z.array(z.number().int().min(0).max(255)), z.null()]).optional(),
  UNIT: z.string().optional(),
  _SYSTEMD_UNIT: z.string().optional(),
  SYSLOG_IDENTIFIER: z.string().optional(),
  _COMM: z.string().optional(),
  _PID: z.string().regex(/^\d+$/).optional(),
});

/** Longest message kept whole; the rest is cut with a mark. */
const MAX_MESSAGE_CHARS = 4096;

/** One line of `journalctl -o json`; undefined for lines that are not entries ("-- No entries --"). */
export function parseJournalLine(line: string): JournalEntry | undefined {
  if (!line.startsWith("{")) return undefined;
  const record = RecordSchema.parse(JSON.parse(line));
  // Entries without a priority are logged at info (6), journald's default.
  const priority = Number(record.PRIORITY ?? 6);
  const message = messageText(record.MESSAGE);
  return {
    time: new Date(Number(BigInt(record.__REALTIME_TIMESTAMP) / 1000n)).toISOString(),
    priority,
    priorityName: JOURNAL_PRIORITIES[priority] ?? "info",
    // systemd's own messages about a unit ("Started nginx.service") name it in UNIT; the unit's output in _SYSTEMD_UNIT.
    unit: record.UNIT ?? record._SYSTEMD_UNIT,
    identifier: record.SYSLOG_IDENTIFIER ?? record._COMM,
    pid: record._PID === undefined ? undefined : Number(record._PID),
    message: message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}… [cut]` : message,
  };
}

function messageText(message: string | number[] | null | undefined): string {
  if (message === null) return "[message too large to show]";
  if (Array.isArray(message)) return Buffer.from(message).toString("utf8");
  return message ?? "";
}
