/** An audit row keeps its arguments whole up to this many bytes of JSON; larger ones, a summary of them. */
export const MAX_AUDITED_ARGS_BYTES = 4_096;
/** A summary names this many keys at most, each cut to KEY_CHARS characters. */
const SUMMARY_KEYS = 32;
const KEY_CHARS = 64;
/** The summary's marker: bracketed, so that no action's argument is named so. */
const TRUNCATED = "[truncated]";

const encoder = new TextEncoder();

/** The size of a value as JSON, in UTF-8 bytes. */
export function jsonBytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value) ?? "null").byteLength;
}

/**
 * Arguments as an audit row keeps them: whole up to MAX_AUDITED_ARGS_BYTES, otherwise a marker
 * saying how large they were, and their keys (the first SUMMARY_KEYS) with the size of each value,
 * so the row still says what was tried. Secrets are redacted before (policy.ts).
 */
export function boundedArgs(args: Record<string, unknown>): Record<string, unknown> {
  const bytes = jsonBytes(args);
  if (bytes <= MAX_AUDITED_ARGS_BYTES) return args;
  const keys = Object.keys(args);
  return {
    [TRUNCATED]: `${bytes} bytes of arguments, more than the ${MAX_AUDITED_ARGS_BYTES} an audit row keeps; bytes of each below`,
    bytes: Object.fromEntries(keys.slice(0, SUMMARY_KEYS).map((key) => [key.slice(0, KEY_CHARS), jsonBytes(args[key])])),
    ...(keys.length > SUMMARY_KEYS && { otherKeys: keys.length - SUMMARY_KEYS }),
  };
}
