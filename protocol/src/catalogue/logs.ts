import { z } from "zod";
import { JournalPrioritySchema, JournalSinceSchema, UnitNameSchema } from "../sysadmin/names.js";
import { JournalEntrySchema } from "../sysadmin/payloads.js";
import { defineAction, READ_ONLY } from "./define.js";

export const logsJournal = defineAction({
  name: "logs.journal",
  title: "System journal",
  description:
    "Entries of the systemd journal (journalctl), newest last: of one unit or the whole system, the last N or since a time, at a priority or more severe. Long output is cut at maxBytes, keeping the newest entries.",
  schemas: () => ({
    input: z.object({
      unit: UnitNameSchema.optional(),
      lines: z.number().int().min(1).max(1000).default(100).describe("At most this many of the newest entries"),
      since: JournalSinceSchema.optional(),
      priority: JournalPrioritySchema.optional().describe("This priority and more severe ones, e.g. err shows emerg, alert, crit and err"),
      maxBytes: z.number().int().min(4_096).max(512 * 1024).default(64 * 1024).describe("Cap on the entries' total size as JSON"),
    }),
    output: z.object({
      entries: z.array(JournalEntrySchema),
      truncated: z.boolean().describe("Older entries were left out to stay under maxBytes"),
      warning: z.string().optional().describe("Set when the bridge sees only part of the journal (missing permission)"),
    }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 30_000,
});

export const logActions = [logsJournal] as const;
