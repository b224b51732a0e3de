import type { HostPort, RunOptions, RunResult } from "../host/port.js";
import { ActionError } from "../action-error.js";

// How sudo, polkit and the programs themselves say the bridge's user may not do something.
const DENIED = /a password is required|is not in the sudoers file|is not allowed to execute|Access denied|Interactive authentication required|Permission denied|Operation not permitted|are you root/i;

/** Runs a program; a non-zero exit becomes an ActionError that says what failed and, for a refusal, what to configure. */
export async function runChecked(host: HostPort, program: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await host.run(program, args, options);
  if (result.exitCode === 0) return result;
  throw programFailed(program, args, result);
}

export function programFailed(program: string, args: readonly string[], result: RunResult): ActionError {
  const command = [program, ...args].join(" ").slice(0, 200);
  if (result.timedOut) return new ActionError("timed_out", `${command} did not finish in time and was stopped.`);
  const detail = (result.stderr.trim() || lastLines(result.stdout, 3) || `exit ${result.exitCode ?? result.signal}`).slice(-1000);
  if (DENIED.test(detail)) {
    return new ActionError(
      "permission_denied",
      `${command} was refused: ${detail}. The bridge runs ${program} as root only when sudo.programs in its configuration lists it and the sudoers file from \`jetson-bridge sudoers\` is installed.`,
    );
  }
  return new ActionError("handler_failed", `${command} failed: ${detail}`);
}

function lastLines(text: string, count: number): string {
  return text.trim().split("\n").slice(-count).join(" ");
}
