import { z } from "zod";

/** 127.0.0.0/8, ::1 and localhost, as the URL parser writes them (it turns 127.1 into 127.0.0.1). */
const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/;

/**
 * The Worker's base URL, as a device or the operator's CLI reaches it. A credential travels over it,
 * so only https: or wss:, except to a loopback address (the local stack and tests), where nothing
 * leaves the machine.
 */
export const CloudUrlSchema = z
  .url({ protocol: /^(https?|wss?)$/ })
  .refine((url) => /^(https|wss):$/.test(new URL(url).protocol) || LOOPBACK_HOST.test(new URL(url).hostname), {
    message: "must be https: or wss: (http: and ws: only to a loopback address: 127.0.0.0/8, ::1 or localhost)",
  });
