import { z } from "zod";
import { KeyRotationsSchema, UpdatePublicKeySchema } from "./releases.js";
import { DeviceIdSchema } from "./topics.js";
import { AuditCursorSchema } from "./audit-cursor.js";

/** `read` runs read-only actions, `operate` changes device state, `admin` administers the fleet. */
export const ScopeSchema = z.enum(["read", "operate", "admin"]);
export type Scope = z.infer<typeof ScopeSchema>;
export const ALL_SCOPES = ScopeSchema.options;

/** Who is asking: an API token, or an OAuth client acting for a user. Every caller belongs to one fleet. */
export const CallerSchema = z.object({
  fleet: z.string(),
  kind: z.enum(["token", "oauth"]),
  /** The token's id, or the OAuth client's id. */
  id: z.string(),
  /** The OAuth user (operator) who approved the client. */
  user: z.string().optional(),
  scopes: z.array(ScopeSchema),
});
export type Caller = z.infer<typeof CallerSchema>;

export const ApiTokenRequestSchema = z.object({
  name: z.string().min(1).max(100),
  scopes: z.array(ScopeSchema).min(1),
});

/** A token as listed: never its secret. */
export const ApiTokenSchema = ApiTokenRequestSchema.extend({
  id: z.string(),
  createdAt: z.number(),
  revokedAt: z.number().optional(),
});
export type ApiToken = z.infer<typeof ApiTokenSchema>;

export const EnrollmentRequestSchema = z.object({
  device: DeviceIdSchema,
  ttlSeconds: z.number().int().min(60).max(7 * 24 * 3600).default(3600),
});

export const EnrollmentCodeSchema = z.object({ device: z.string(), code: z.string(), expiresAt: z.number() });
export type EnrollmentCode = z.infer<typeof EnrollmentCodeSchema>;

/** What `jetson-bridge enroll` sends and gets back. */
export const EnrollRequestSchema = z.object({ code: z.string().min(10).max(200) });
export const EnrolledDeviceSchema = z.object({
  fleet: z.string(),
  deviceId: z.string(),
  token: z.string(),
  /** The fleet's update key, once it has one: the device pins it and installs only releases it signed. */
  updateKey: UpdatePublicKeySchema.optional(),
});
export type EnrolledDevice = z.infer<typeof EnrolledDeviceSchema>;

/**
 * How a destructive action was confirmed. `human`: the user accepted the confirmation
 * form the MCP client showed (revision 2026-07-28, a request state the Worker signed);
 * `flag`: the caller set `confirm: true` itself (a 2025-11-25 client's model, the REST API, the CLI).
 */
export const ConfirmedBySchema = z.enum(["human", "flag"]);
export type ConfirmedBy = z.infer<typeof ConfirmedBySchema>;

const ConfirmationsSettingSchema = z
  .enum(["flag-allowed", "human-only"])
  .describe(
    "Who may confirm a destructive action for an MCP client: `flag-allowed` accepts a 2025-11-25 client's `confirm: true` (its model sets it); `human-only` refuses those clients destructive actions, leaving only the user's own answer through a 2026-07-28 client",
  );

/** A fleet's settings, changed by its administrator. */
export const FleetSettingsSchema = z.strictObject({
  confirmations: ConfirmationsSettingSchema.default("flag-allowed"),
  /** The public half of the fleet's bridge update key: pinned once (PUT /releases/key), changed only by a rotation it signed, never through PATCH /api/settings. */
  updateKey: UpdatePublicKeySchema.optional(),
  /** Every rotation of the update key, oldest first (POST /releases/key/rotations). */
  updateKeyRotations: KeyRotationsSchema.optional(),
});
export type FleetSettings = z.infer<typeof FleetSettingsSchema>;

/** A change of some settings (PATCH /api/settings). */
export const FleetSettingsChangeSchema = z.strictObject({ confirmations: ConfirmationsSettingSchema.optional() });
export type FleetSettingsChange = z.infer<typeof FleetSettingsChangeSchema>;

/** One audit record: a command (written before it reaches the device, completed with its outcome), or a refusal. */
export const AuditEntrySchema = z.object({
  id: z.number(),
  at: z.number(),
  caller: z.string(),
  device: z.string(),
  action: z.string(),
  /** Arguments with secret-looking values replaced by "[redacted]". */
  args: z.record(z.string(), z.unknown()),
  /**
   * `queued`: the device was offline and the command waits for it (its result is in the device's ledger).
   * `pending`: sent, outcome not recorded yet; it stays so if the caller left before the end (the ledger has the outcome).
   */
  outcome: z.enum(["succeeded", "failed", "refused", "queued", "pending"]),
  error: z.string().optional(),
  durationMs: z.number(),
  /** The id the command was given: get_command reads its outcome, unless the device's object refused it before its ledger (busy, offline, invalid). */
  commandId: z.string().optional(),
  /** Set on a destructive action that ran (or was sent) with a confirmation. */
  confirmedBy: ConfirmedBySchema.optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** Filters (all optional, combined with AND), a page size, and where the previous page ended. */
export const AuditQuerySchema = z.object({
  device: z.string().optional(),
  caller: z.string().optional(),
  action: z.string().optional(),
  outcome: AuditEntrySchema.shape.outcome.optional(),
  /** Epoch milliseconds, both inclusive. */
  from: z.coerce.number().optional(),
  to: z.coerce.number().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: AuditCursorSchema.optional(),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

/** Entries newest first; `nextCursor`, when present, reads the next (older) page. */
export const AuditPageSchema = z.object({ entries: z.array(AuditEntrySchema), nextCursor: z.string().optional() });
export type AuditPage = z.infer<typeof AuditPageSchema>;
