import path from "node:path";
import { HostPortError, type RunOptions } from "./port.js";
import { type HelperCommand, helperArgv, privilegedRule } from "./privileged.js";

/** What every host port is configured with, wherever the machine is. */
export interface HostOptions {
  /** Where the machine's `/` is: `/` on a board, a folder for a simulated one. */
  root: string;
  /** Folders searched for programs, in order. */
  programDirs: readonly string[];
  defaultTimeoutMs: number;
  defaultMaxOutputBytes: number;
  /** Between SIGTERM and SIGKILL when a run is stopped (timeout, abort); DEFAULT_STOP_GRACE_MS if absent. */
  stopGraceMs?: number;
  /**
   * Programs run through `sudo -n` (the bridge itself runs unprivileged). Those whose arguments are
   * an open set (apt-get, kill) go through the bridge's root-owned helper, where this machine has one.
   */
  sudo?: { path: string; programs: readonly string[]; helper?: HelperCommand };
}

const PROGRAM_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** A program is named, never given as a path or as shell text. */
export function assertProgramName(program: string): void {
  if (!PROGRAM_NAME.test(program)) throw new HostPortError("bad_program", `Not a program name: ${JSON.stringify(program)}`);
}

export function notInstalled(program: string, options: HostOptions): HostPortError {
  const looked = options.programDirs.map((dir) => asMachineSees(dir, options.root));
  return new HostPortError("not_found", `${program} is not installed (looked in ${looked.join(", ")})`);
}

/** A folder under the machine's root as the machine names it (`/usr/bin`, not the simulated root's folder on the host). */
function asMachineSees(dir: string, root: string): string {
  const relative = path.posix.relative(root, dir);
  return relative === ".." || relative.startsWith("../") || path.posix.isAbsolute(relative) ? dir : `/${relative}`;
}

/**
 * What to execute, and its standard input: a privileged program through `sudo -n --` (never a prompt,
 * never sudo's options), by itself or, for an open set of arguments, as the helper with them on standard input.
 */
export function commandLine(options: HostOptions, program: string, located: string, args: readonly string[], run: RunOptions): { argv: string[]; stdin?: string } {
  const { sudo } = options;
  if (!sudo?.programs.includes(program) || run.unprivileged) return { argv: [located, ...args], stdin: run.stdin };
  if (privilegedRule(program)?.via !== "helper") return { argv: [sudo.path, "-n", "--", located, ...args], stdin: run.stdin };
  if (!sudo.helper || run.stdin !== undefined) {
    throw new HostPortError("bad_program", `${program} runs as root only through the bridge's own helper (jetson-bridge privileged), which this machine does not have`);
  }
  return { argv: [sudo.path, "-n", "--", ...helperArgv(sudo.helper, located)], stdin: JSON.stringify(args) };
}
