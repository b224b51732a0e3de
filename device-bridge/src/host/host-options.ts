import { HostPortError } from "./port.js";

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
  /** Programs run through `sudo -n` (the bridge itself runs unprivileged). */
  sudo?: { path: string; programs: readonly string[] };
}

const PROGRAM_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** A program is named, never given as a path or as shell text. */
export function assertProgramName(program: string): void {
  if (!PROGRAM_NAME.test(program)) throw new HostPortError("bad_program", `Not a program name: ${JSON.stringify(program)}`);
}

export function notInstalled(program: string, options: HostOptions): HostPortError {
  return new HostPortError("not_found", `${program} is not installed (looked in ${options.programDirs.join(", ")})`);
}

/** The argument vector to execute: privileged programs go through `sudo -n --` (never prompt; never sudo's options). */
export function commandLine(options: HostOptions, program: string, located: string, args: readonly string[], unprivileged = false): string[] {
  const { sudo } = options;
  return sudo?.programs.includes(program) && !unprivileged ? [sudo.path, "-n", "--", located, ...args] : [located, ...args];
}
