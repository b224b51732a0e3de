// The systemctl command lines the bridge runs as root. The sudoers file names exactly these
// (host/privileged.ts), so the actions and the file must build them the same way: here.

/** What services.* may do to a unit in services.allow. */
export const UNIT_VERBS = ["start", "stop", "restart", "enable", "disable"] as const;
export type UnitVerb = (typeof UNIT_VERBS)[number];

/** The unit is a validated name that cannot start with "-" (UnitNameSchema), so it needs no "--" before it. */
export function unitCommand(verb: UnitVerb, unit: string): string[] {
  return [verb, unit];
}

export const REBOOT_COMMAND: readonly string[] = ["reboot"];
export const POWEROFF_COMMAND: readonly string[] = ["poweroff"];
