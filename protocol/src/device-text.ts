import { z } from "zod";

/** Control and format characters (newlines, escapes, bidi overrides, zero-width marks). */
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;

/** Drops invisible characters and keeps the first `max` characters. */
export function cleanDeviceText(text: string, max: number): string {
  // Cut before cleaning so a huge string costs no more than a short one.
  return Array.from(text.slice(0, max * 4).replace(INVISIBLE, ""))
    .slice(0, max)
    .join("");
}

/**
 * A string a device reports about itself (hostname, board, versions, container names):
 * cleaned and shortened on parse, so stores and readers (an assistant among them) only see
 * what a person would. Shortened, not refused, so the rest of the report is kept.
 */
export const deviceText = (max: number) => z.string().overwrite((text) => cleanDeviceText(text, max));

/** A key a device picks, such as a thermal zone or power rail name: refused if odd, since real boards never send one. */
export const DeviceKeySchema = z.string().min(1).max(64).regex(/^[^\p{Cc}\p{Cf}]+$/u, "a name without control characters");
