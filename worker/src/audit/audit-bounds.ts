import type { AuditEntry } from "@jetson/protocol";

/** An audit row keeps its arguments whole up to this many bytes of JSON; larger ones, a summary of them. */
export const MAX_AUDITED_ARGS_BYTES = 4_096;
/** A refused call ran nothing, and refusals are what a read-only token can write with arguments of its choosing: their rows keep less. */
export const MAX_REFUSED_ARGS_BYTES = 1_024;
/** A summary names this many keys at most, each cut to KEY_CHARS characters, and fewer where they would not fit its row's bound. */
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
 * Arguments as an audit row with this outcome keeps them: whole up to its bound (MAX_AUDITED_ARGS_BYTES,
 * MAX_REFUSED_ARGS_BYTES for a refusal), otherwise a marker saying how large they were, and as many of their
 * keys (the first SUMMARY_KEYS at most) with the size of each value as fit within the bound, so the row still
 * says what was tried. Secrets are redacted before (policy.ts).
 */
export function boundedArgs(args: Record<string, unknown>, outcome: AuditEntry["outcome"]): Record<string, unknown> {
  const maxBytes = outcome === "refused" ? MAX_REFUSED_ARGS_BYTES : MAX_AUDITED_ARGS_BYTES;
  const bytes = jsonBytes(args);
  if (bytes <= maxBytes) return args;
  const keys = Object.keys(args);
  const sizes = keys.slice(0, SUMMARY_KEYS).map((key) => [key.slice(0, KEY_CHARS), jsonBytes(args[key])] as const);
  const summary = (shown: number): Record<string, unknown> => ({
    [TRUNCATED]: `${bytes} bytes of arguments, more than the ${maxBytes} an audit row keeps; bytes of each below`,
    bytes: Object.fromEntries(sizes.slice(0, shown)),
    ...(keys.length > shown && { otherKeys: keys.length - shown }),
  });
  let shown = sizes.length;
  while (shown > 0 && jsonBytes(summary(shown)) > maxBytes) shown--;
  return summary(shown);
}
