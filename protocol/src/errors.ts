import { z } from "zod";
import { deviceMessage } from "./device-text.js";

/** An error message is read by people and models: a program's output tail fits, a flood does not. */
export const MAX_ERROR_MESSAGE = 4_000;

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
  // Often the device's words: cleaned of what a person would not see, and shortened.
  message: deviceMessage(MAX_ERROR_MESSAGE),
});
export type ActionErrorBody = z.infer<typeof ActionErrorSchema>;
