/**
 * Characters JSON.stringify leaves raw that a terminal acts on or that reorder what it shows: DEL,
 * the C1 controls (CSI, OSC, ST: escape sequences without an ESC byte) and the format characters
 * (bidi overrides, zero widths).
 */
const TERMINAL_ACTIVE = /[\u007f-\u009f\p{Cf}]/gu;

/** A command's output as JSON that prints inert: those characters escaped as \uXXXX, so it parses back to the same value. */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(TERMINAL_ACTIVE, (char) =>
    Array.from({ length: char.length }, (_, i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`).join(""),
  );
}
