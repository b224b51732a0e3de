import { z } from "zod";
import { ActionErrorSchema } from "./errors.js";
import { ProgressSchema } from "./envelopes.js";
import { CommandRecordSchema, DeviceSummarySchema } from "./fleet.js";

// ---- tags and selectors ----

export const TagSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, "a tag: lower-case letters, digits, _ . - (at most 63)");
export const TagsSchema = z.array(TagSchema).max(32);

export const SelectorSchema = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .describe(
    "Space-separated terms, all of which must hold: tag:warehouse board:orin-nano online:true jetpack:6 (6, 6.2, …) l4t:36.4* bridge:0.1* soc:tegra234 id:cam-* ; " +
      "a,b means either; a leading - negates (-tag:lab); * alone chooses every device",
  );

/** A device as a selector sees it: operator tags and attributes from its reported state. */
export const DeviceAttributesSchema = z.object({
  id: z.string(),
  tags: z.array(z.string()),
  /** Normalised from the model string: agx-orin, orin-nx, orin-nano, agx-xavier, xavier-nx, nano, … */
  board: z.string().optional(),
  soc: z.string().optional(),
  jetpack: z.string().optional(),
  l4t: z.string().optional(),
  bridge: z.string().optional(),
  online: z.boolean(),
});
export type DeviceAttributes = z.infer<typeof DeviceAttributesSchema>;

// ---- fleet runs ----

export const CanarySchema = z.union([
  z.strictObject({ count: z.number().int().min(1).max(100).describe("The first N chosen devices (by id)") }),
  z.strictObject({ selector: SelectorSchema.describe("The chosen devices this selector also chooses") }),
]);
export type Canary = z.infer<typeof CanarySchema>;

export const FleetRunRequestSchema = z.strictObject({
  selector: SelectorSchema,
  action: z.string().min(1).max(64).describe("Catalogued action, e.g. power.set"),
  args: z.record(z.string(), z.unknown()).default({}).describe("The action's arguments, the same on every device"),
  timeoutMs: z.number().int().min(1_000).max(300_000).optional().describe("Per device (default: the action's own)"),
  concurrency: z.number().int().min(1).max(100).default(5).describe("Devices running the action at once"),
  canary: CanarySchema.optional().describe("Devices that must all succeed before the others start"),
  abortThresholdPct: z
    .number()
    .min(0)
    .max(100)
    .optional()
    .describe("Stop starting devices once more than this % of the finished ones failed (absent: never)"),
  confirm: z.boolean().optional().describe("Required for a destructive action, once the user has agreed"),
});
export type FleetRunRequest = z.infer<typeof FleetRunRequestSchema>;

export const RunDeviceStateSchema = z.enum(["pending", "running", "succeeded", "failed", "skipped"]);
export type RunDeviceState = z.infer<typeof RunDeviceStateSchema>;

export const FleetRunDeviceSchema = z.object({
  device: z.string(),
  canary: z.boolean(),
  state: RunDeviceStateSchema,
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  /** The action's result (cut when large). */
  data: z.unknown().optional(),
  error: ActionErrorSchema.optional(),
});
export type FleetRunDevice = z.infer<typeof FleetRunDeviceSchema>;

export const FleetRunStateSchema = z.enum(["running", "succeeded", "partially_failed", "failed", "canary_failed", "aborted", "cancelled"]);
export type FleetRunState = z.infer<typeof FleetRunStateSchema>;

const count = z.number().int().nonnegative();
export const RunCountsSchema = z.object({ pending: count, running: count, succeeded: count, failed: count, skipped: count });
export type RunCounts = z.infer<typeof RunCountsSchema>;

export const FleetRunSchema = z.object({
  id: z.string(),
  action: z.string(),
  args: z.record(z.string(), z.unknown()),
  selector: z.string(),
  canary: CanarySchema.optional(),
  concurrency: z.number().int(),
  abortThresholdPct: z.number().optional(),
  timeoutMs: z.number().int(),
  requestedBy: z.string(),
  createdAt: z.number(),
  endedAt: z.number().optional(),
  state: FleetRunStateSchema,
  /** Why the run stopped early. */
  reason: z.string().optional(),
  counts: RunCountsSchema,
  devices: z.array(FleetRunDeviceSchema),
});
export type FleetRun = z.infer<typeof FleetRunSchema>;

/** A run as listed: without per-device results. */
export const FleetRunBriefSchema = FleetRunSchema.omit({ devices: true, args: true });
export type FleetRunBrief = z.infer<typeof FleetRunBriefSchema>;

/** What a run would do, without doing it. */
export const FleetRunPlanSchema = z.object({
  action: z.string(),
  selector: z.string(),
  devices: z.array(
    z.object({ id: z.string(), canary: z.boolean(), online: z.boolean(), board: z.string().optional(), jetpack: z.string().optional() }),
  ),
  canaryCount: z.number().int(),
  /** Chosen devices that are offline now: the action fails on them. */
  offline: z.array(z.string()),
  /** Why this caller could not start the run, when it could not. */
  refusal: z.string().optional(),
});
export type FleetRunPlan = z.infer<typeof FleetRunPlanSchema>;

// ---- commands that wait for an offline device ----

export const QueueOptionSchema = z.strictObject({
  expiresInMs: z
    .number()
    .int()
    .min(1_000)
    .max(7 * 24 * 3_600_000)
    .describe("If the device is offline, keep the command this long for it; it runs once when the device reconnects, never after"),
});
export type QueueOption = z.infer<typeof QueueOptionSchema>;

/** A command waiting in the device's ledger. */
export const QueuedCommandSchema = z.object({ commandId: z.string(), expiresAt: z.number() });
export type QueuedCommand = z.infer<typeof QueuedCommandSchema>;

const StoredOutcomeSchema = z.union([
  z.object({ ok: z.literal(true), data: z.unknown(), startedAt: z.number(), endedAt: z.number() }),
  z.object({ ok: z.literal(false), error: ActionErrorSchema, startedAt: z.number().optional(), endedAt: z.number().optional() }),
]);

/** One command of the ledger with its arguments and outcome, read after the fact. */
export const CommandDetailSchema = CommandRecordSchema.extend({
  args: z.record(z.string(), z.unknown()),
  /** The device must not start it after this. */
  deadline: z.number(),
  /** For a queued command: when it stops waiting for the device. */
  expiresAt: z.number().optional(),
  outcome: StoredOutcomeSchema.optional(),
  /** The last progress the device reported while it ran, and when. */
  progress: ProgressSchema.omit({ id: true }).extend({ at: z.number() }).optional(),
  /**
   * A command cancelled or timed out here that the device finished anyway (it had finished before the
   * cancel reached it, or answered after the deadline): what the device reported. The state stays.
   */
  outcomeOnDevice: StoredOutcomeSchema.optional(),
});
export type CommandDetail = z.infer<typeof CommandDetailSchema>;

// ---- listing the fleet a page at a time ----

/** As the dashboard shows it: offline wins; online with an active alert (other than `offline`) is alerting. */
export const DeviceStatusSchema = z.enum(["online", "alerting", "offline"]);
export type DeviceStatus = z.infer<typeof DeviceStatusSchema>;

export const DEVICE_PAGE_LIMIT = { default: 100, max: 500 } as const;

/** Filters all hold together; the order is always by device id, so a cursor names where the last page ended. */
export const DeviceListQuerySchema = z.strictObject({
  status: DeviceStatusSchema.optional().describe("Only devices in this state: online, alerting (online with an active alert) or offline"),
  alerts: z.boolean().optional().describe("true: only devices with an active alert"),
  selector: SelectorSchema.optional(),
  text: z
    .string()
    .trim()
    .min(1)
    .max(63)
    .optional()
    .describe("Only devices whose id contains this text"),
  limit: z.number().int().min(1).max(DEVICE_PAGE_LIMIT.max).default(DEVICE_PAGE_LIMIT.default).describe(`Devices per page (at most ${DEVICE_PAGE_LIMIT.max})`),
  cursor: z.string().min(1).max(1000).optional().describe("nextCursor of the previous page, with the same filters"),
});
export type DeviceListQuery = z.infer<typeof DeviceListQuerySchema>;

export const DevicePageSchema = z.object({
  devices: z.array(DeviceSummarySchema),
  /** Devices matching the filters, on every page together. */
  total: z.number().int(),
  /** Absent on the last page. */
  nextCursor: z.string().optional(),
});
export type DevicePage = z.infer<typeof DevicePageSchema>;
