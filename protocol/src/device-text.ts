import { z } from "zod";

/**
 * What a person does not see but a model reads: control and format characters (escapes, bidi
 * overrides, zero-width marks), line and paragraph separators, every default-ignorable code point
 * (variation selectors, which can spell out a whole hidden sentence; Hangul fillers; the combining
 * grapheme joiner) and the blank braille pattern.
 */
const UNSEEN = String.raw`\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800`;
const INVISIBLE = new RegExp(`[${UNSEEN}]`, "gu");
/** The same, keeping line breaks and tabs: a message of several lines (the tail of a program's output). */
const INVISIBLE_IN_MESSAGE = new RegExp(`(?![\\n\\t])[${UNSEEN}]`, "gu");

function clean(text: string, max: number, invisible: RegExp): string {
  // Cut before cleaning so a huge string costs no more than a short one.
  return Array.from(text.slice(0, max * 4).replace(invisible, ""))
    .slice(0, max)
    .join("");
}

/** Drops invisible characters and keeps the first `max` characters. */
export function cleanDeviceText(text: string, max: number): string {
  return clean(text, max, INVISIBLE);
}

/**
 * A string a device reports about itself (hostname, board, versions, container names):
 * cleaned and shortened on parse, so stores and readers (an assistant among them) only see
 * what a person would. Shortened, not refused, so the rest of the report is kept.
 */
export const deviceText = (max: number) => z.string().overwrite((text) => cleanDeviceText(text, max));

/** Drops invisible characters but line breaks and tabs, and keeps the first `max` characters: a message of several lines. */
export function cleanDeviceMessage(text: string, max: number): string {
  return clean(text, max, INVISIBLE_IN_MESSAGE);
}

/** A message a device writes (an error, a progress step): as deviceText, but its lines stay lines. */
export const deviceMessage = (max: number) => z.string().overwrite((text) => cleanDeviceMessage(text, max));

/** The longest string of a device's answer kept whole: a log line is bounded to 64 KiB on the device already. */
export const MAX_ANSWER_STRING = 65_536;

/**
 * A device's answer with every string cleaned as a message is (lines kept, the unseen dropped) and
 * shortened: whatever its schema says of a field, a person and a model then read the same text.
 */
export function cleanDeviceAnswer(value: unknown): unknown {
  if (typeof value === "string") return cleanDeviceMessage(value, MAX_ANSWER_STRING);
  if (Array.isArray(value)) return value.map(cleanDeviceAnswer);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cleanDeviceAnswer(item)]));
  return value;
}

/** A key a device picks, such as a thermal zone or power rail name: refused if odd, since real boards never send one. */
export const DeviceKeySchema = z
  .string()
  .min(1)
  .max(64)
  .regex(new RegExp(`^[^${UNSEEN}]+$`, "u"), "a name without control or invisible characters");
