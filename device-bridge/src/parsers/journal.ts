import { JOURNAL_PRIORITIES, type JournalEntry } from "@jetson/protocol";
import { z } from "zod";

// journalctl -o json: one object per line. A value is a string; an array of bytes when it is not
// printable UTF-8; null when it is too large to show (4096 bytes or more, without --all). A field an
// entry holds more than once is an array of such values.
const BytesSchema = z.array(z.number().int().min(0).max(255));
const ValueSchema = z.union([z.string(), BytesSchema, z.null()]);
const FieldSchema = z.union([ValueSchema, z.array(ValueSchema)]);
type Field = z.infer<typeof FieldSchema>;

const RecordSchema = z.object({
  __REALTIME_TIMESTAMP: FieldSchema,
  PRIORITY: FieldSchema.optional(),
  MESSAGE: FieldSchema.optional(),
  UNIT: FieldSchema.optional(),
  _SYSTEMD_UNIT: FieldSchema.optional(),
  SYSLOG_IDENTIFIER: FieldSchema.optional(),
  _COMM: FieldSchema.optional(),
  _PID: FieldSchema.optional(),
});

/**
 * The fields read here, for `journalctl --output-fields=` (systemd 236 and later): an entry with many
 * other fields could otherwise print a line too long to read. journalctl adds __CURSOR,
 * __REALTIME_TIMESTAMP, __MONOTONIC_TIMESTAMP and _BOOT_ID whatever the list.
 */
export const JOURNAL_FIELDS = Object.keys(RecordSchema.shape);

/** Longest message kept whole; the rest is cut with a mark. */
const MAX_MESSAGE_CHARS = 4096;

/**
 * One line of `journalctl -o json`; undefined for lines that are not entries ("-- No entries --").
 * Throws for a line that is not a journal entry's JSON (cut short, or without its time).
 */
export function parseJournalLine(line: string): JournalEntry | undefined {
  if (!line.startsWith("{")) return undefined;
  const record = RecordSchema.parse(JSON.parse(line));
  const timestamp = first(record.__REALTIME_TIMESTAMP);
  if (timestamp === undefined || !/^\d+$/.test(timestamp)) throw new Error("a journal entry without its time");
  // Entries without a priority (or with one that is not 0-7) are logged at info (6), journald's default.
  const priority = Number(matching(first(record.PRIORITY), /^[0-7]$/) ?? 6);
  const pid = matching(first(record._PID), /^[1-9]\d*$/);
  const message = messageText(record.MESSAGE);
  return {
    time: new Date(Number(BigInt(timestamp) / 1000n)).toISOString(),
    priority,
    priorityName: JOURNAL_PRIORITIES[priority] ?? "info",
    // systemd's own messages about a unit ("Started nginx.service") name it in UNIT; the unit's output in _SYSTEMD_UNIT.
    unit: first(record.UNIT) ?? first(record._SYSTEMD_UNIT),
    identifier: first(record.SYSLOG_IDENTIFIER) ?? first(record._COMM),
    pid: pid === undefined ? undefined : Number(pid),
    message: message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}… [cut]` : message,
  };
}

/** Each value of a field as text (bytes decoded as UTF-8, what is not UTF-8 replaced); null where journalctl left it out. */
function values(field: Field | undefined): Array<string | null> {
  if (field === undefined) return [];
  if (field === null || typeof field === "string" || isBytes(field)) return [text(field)];
  return field.map(text);
}

function isBytes(field: Field): field is number[] {
  return Array.isArray(field) && field.every((value) => typeof value === "number");
}

function text(value: z.infer<typeof ValueSchema>): string | null {
  return Array.isArray(value) ? Buffer.from(value).toString("utf8") : value;
}

/** A field given more than once is read by its first value (journalctl prints them in the order they were logged). */
function first(field: Field | undefined): string | undefined {
  return values(field).find((value) => value !== null) ?? undefined;
}

function matching(value: string | undefined, pattern: RegExp): string | undefined {
  return value !== undefined && pattern.test(value) ? value : undefined;
}

/** A message given more than once is each of its parts, one line each. */
function messageText(field: Field | undefined): string {
  const parts = values(field);
  if (parts.length === 0) return "";
  const shown = parts.filter((part) => part !== null);
  return shown.length === 0 ? "[message too large to show]" : shown.join("\n");
}
