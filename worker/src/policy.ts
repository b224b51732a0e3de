import { type ActionDefinition, type Caller, destructiveReason, type Scope } from "@jetson/protocol";

/** Read-only actions need `read`; anything that changes the device needs `operate`. */
export function scopeFor(action: ActionDefinition): Scope {
  return action.hints.readOnly ? "read" : "operate";
}

export function hasScope(caller: Caller, scope: Scope): boolean {
  return caller.scopes.includes(scope);
}

/**
 * Why this caller may not run this action with these arguments now, or undefined when it may.
 * The one place confirmation is checked: direct calls, queued commands and fleet runs all ask here.
 */
export function refusalFor(caller: Caller, action: ActionDefinition, args: unknown, confirmed: boolean): string | undefined {
  const scope = scopeFor(action);
  if (!hasScope(caller, scope)) return `${action.name} needs the "${scope}" scope; this caller has ${caller.scopes.join(", ") || "none"}.`;
  const destructive = confirmed ? undefined : destructiveReason(action, args);
  if (destructive) return `${destructive} and did not run. Repeat the call with "confirm": true once the user has agreed.`;
  return undefined;
}

const SECRET_KEY = /token|password|passphrase|secret|credential|private.?key|api.?key/i;
/** Maps whose every value may be a secret whatever its name (`DATABASE_URL=postgres://user:pw@…`): names kept, values hidden. */
const SECRET_VALUES_KEY = /^env(ironment)?$/i;
const REDACTED = "[redacted]";
const MAX_AUDITED_STRING = 1_000;

/**
 * Arguments as anyone but the device reads them back (the audit trail, the command
 * ledger): secret-looking values replaced, environment values hidden, long strings cut.
 */
export function redact(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).map(([key, value]) => [key, redactEntry(key, value)]));
}

function redactEntry(key: string, value: unknown): unknown {
  if (SECRET_KEY.test(key)) return REDACTED;
  if (SECRET_VALUES_KEY.test(key) && value && typeof value === "object" && !Array.isArray(value)) {
    return Object.fromEntries(Object.keys(value).map((name) => [name, REDACTED]));
  }
  return redactValue(value);
}

/** A string as the audit trail keeps it: cut after MAX_AUDITED_STRING characters, saying how long it was. */
export function shorten(text: string): string {
  return text.length > MAX_AUDITED_STRING ? `${text.slice(0, MAX_AUDITED_STRING)}… (${text.length} chars)` : text;
}

function redactValue(value: unknown): unknown {
  if (typeof value === "string") return shorten(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value && typeof value === "object") return redact(value as Record<string, unknown>);
  return value;
}
