/// <reference path="./node-zlib.d.ts" />
import type { InflateRaw } from "@jetson/protocol";
import { inflateRawSync } from "node:zlib";

/**
 * Telemetry version 2's inflater in the Worker: node:zlib's synchronous one, which costs a device object a
 * fraction of what a DecompressionStream's promises do per message. Output past the cap is a RangeError
 * (workerd: "Memory limit exceeded", Node: ERR_BUFFER_TOO_LARGE); bytes that are not deflate-raw throw as they are.
 */
export const inflateRaw: InflateRaw = (deflated, maxBytes) => {
  try {
    return inflateRawSync(deflated, { maxOutputLength: maxBytes });
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
};
