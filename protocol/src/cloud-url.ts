import { z } from "zod";
import { isLoopbackHost } from "./loopback.js";

/**
 * The Worker's base URL, as a device or the operator's CLI reaches it. A credential travels over it,
 * so only https: or wss:, except to a loopback address (the local stack and tests), where nothing
 * leaves the machine.
 */
export const CloudUrlSchema = z
  .url({ protocol: /^(https?|wss?)$/ })
  .refine((url) => /^(https|wss):$/.test(new URL(url).protocol) || isLoopbackHost(new URL(url).hostname), {
    message: "must be https: or wss: (http: and ws: only to a loopback address: 127.0.0.0/8, ::1 or localhost)",
  });
