import { z } from "zod";

/** A tunnel lives this long unless asked otherwise, and never longer than the maximum. */
export const DEFAULT_PORT_SECONDS = 15 * 60;
export const MAX_PORT_SECONDS = 4 * 60 * 60;
export const MIN_PORT_SECONDS = 5;

export const OpenPortRequestSchema = z.strictObject({
  port: z.number().int().min(1).max(65_535).describe("TCP port on the device's 127.0.0.1; the device's configuration (tunnelPorts) must allow it"),
  seconds: z
    .number()
    .int()
    .min(MIN_PORT_SECONDS)
    .max(MAX_PORT_SECONDS)
    .default(DEFAULT_PORT_SECONDS)
    .describe(`How long the URL works, in seconds (default ${DEFAULT_PORT_SECONDS}, at most ${MAX_PORT_SECONDS})`),
});
export type OpenPortRequest = z.infer<typeof OpenPortRequestSchema>;

/** An open tunnel as listed: its URL is not kept (only its token's hash), so it is shown once, at opening. */
export const DevicePortSchema = z.object({
  id: z.string(),
  port: z.number().int(),
  openedBy: z.string(),
  openedAt: z.number(),
  expiresAt: z.number(),
});
export type DevicePort = z.infer<typeof DevicePortSchema>;

export const OpenedPortSchema = DevicePortSchema.extend({
  url: z.string().describe("Reaches 127.0.0.1:port on the device until expiresAt; anyone holding it can use it, so share it like a password"),
});
export type OpenedPort = z.infer<typeof OpenedPortSchema>;
