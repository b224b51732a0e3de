import { z } from "zod";

/** Error codes shared by the bridge (action failures) and the Worker (delivery failures). */
export const ErrorCodeSchema = z.enum([
  "invalid_input",
  "unknown_action",
  "unknown_device",
  "device_offline",
  "timed_out",
  "handler_failed",
  "not_supported",
  "too_busy",
  "unavailable",
  "permission_denied",
  "cancelled",
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ActionErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
});
export type ActionErrorBody = z.infer<typeof ActionErrorSchema>;
