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
const MAX_AUDITED_STRING = 1_000;

/** Arguments as the audit log keeps them: secret-looking values replaced, long strings cut. */
export function redact(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(args).map(([key, value]) => [key, SECRET_KEY.test(key) ? "[redacted]" : redactValue(value)]),
  );
}

function redactValue(value: unknown): unknown {
  if (typeof value === "string" && value.length > MAX_AUDITED_STRING) return `${value.slice(0, MAX_AUDITED_STRING)}… (${value.length} chars)`;
  if (Array.isArray(value)) return value.map(redactValue);
  if (value && typeof value === "object") return redact(value as Record<string, unknown>);
  return value;
}
