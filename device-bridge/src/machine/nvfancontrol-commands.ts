import { FanProfileNameSchema } from "@jetson/protocol";
import { z } from "zod";
import type { UnitVerb } from "./systemctl-commands.js";

// The command lines fan.set runs as root to change nvfancontrol's profile, as NVIDIA documents it:
// stop the service, change FAN_DEFAULT_PROFILE, remove the status file (which would otherwise win),
// start it again. Built here only: the action builds them, the sudoers file names the fixed ones, and
// the root helper reads the edit back into a request before it runs anything.

export const NVFANCONTROL_CONF = "/etc/nvfancontrol.conf";
export const NVFANCONTROL_STATUS_FOLDER = "/var/lib/nvfancontrol";
export const NVFANCONTROL_STATUS = `${NVFANCONTROL_STATUS_FOLDER}/status`;
export const NVFANCONTROL_UNIT = "nvfancontrol.service";
/** The systemctl verbs the profile change needs on nvfancontrol's unit. */
export const NVFANCONTROL_UNIT_VERBS: readonly UnitVerb[] = ["stop", "start"];

/** rm -f of the status file: the path is fixed, so the sudoers file names the whole line. */
export const REMOVE_NVFANCONTROL_STATUS: readonly string[] = ["-f", NVFANCONTROL_STATUS];

/** A profile to write into /etc/nvfancontrol.conf: a name as the catalogue's fan.set takes it. */
export const FanProfileRequestSchema = z.strictObject({ profile: FanProfileNameSchema });
export type FanProfileRequest = z.infer<typeof FanProfileRequestSchema>;

// Only the uncommented FAN_DEFAULT_PROFILE line; the name allows no "/", "\" or newline, so it ends the script as a plain word.
const SCRIPT_HEAD = "s/^([[:space:]]*FAN_DEFAULT_PROFILE[[:space:]]+)[^[:space:]]+/\\1";
const SCRIPT_TAIL = "/";

/** sed's arguments that set FAN_DEFAULT_PROFILE in place. */
export function setProfileArgs({ profile }: FanProfileRequest): string[] {
  return ["-i", "-E", "-e", `${SCRIPT_HEAD}${profile}${SCRIPT_TAIL}`, NVFANCONTROL_CONF];
}

/** The request an argument list was built from (unchecked), or undefined when it has another shape. */
export function readSetProfileArgs(args: readonly string[]): unknown {
  const [inPlace, extended, expression, script, file, ...rest] = args;
  if (inPlace !== "-i" || extended !== "-E" || expression !== "-e" || file !== NVFANCONTROL_CONF || rest.length > 0) return undefined;
  if (script === undefined || !script.startsWith(SCRIPT_HEAD) || !script.endsWith(SCRIPT_TAIL)) return undefined;
  return { profile: script.slice(SCRIPT_HEAD.length, script.length - SCRIPT_TAIL.length) };
}
