import type { ErrorCode } from "@jetson/protocol";
import { ActionError } from "../action-error.js";
import type { HostPort, RunResult } from "../host/port.js";
import { aptProblems } from "../parsers/apt.js";
import { monotonicProgress, type ProgressReporter } from "../progress.js";
import { type AptGetRequest, aptGetArgs, aptProgressPhase } from "./apt-get-commands.js";
import { AptProgress, MAX_LINE } from "./apt-progress.js";

// A long time limit: the cloud may stop waiting, and apt-get still finishes unless the command is cancelled.
const RUN_LIMIT_MS = 30 * 60_000;

/** Failures apt-get explains itself, and what the caller should do about each. */
const FAILURES: ReadonlyArray<[pattern: RegExp, code: ErrorCode, advice: (match: RegExpExecArray) => string]> = [
  [/Unable to locate package (\S+)/, "invalid_input", (m) => `There is no package ${m[1]} in the package lists: check the name, or refresh the lists (packages_refresh).`],
  [/Version '([^']+)' for '([^']+)' was not found/, "invalid_input", (m) => `Version ${m[1]} of ${m[2]} is not in the package lists.`],
  [/Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock the administration directory/, "too_busy", () => "Another package manager holds the dpkg lock (apt-daily, unattended-upgrades or someone on the device): try again in a few minutes."],
  [/Packages need to be removed but remove is disabled/, "handler_failed", () => "Installing would remove other packages, so nothing was changed. Remove the conflicting packages first (packages_remove) if that is intended."],
  [/dpkg was interrupted/, "handler_failed", () => "An earlier dpkg run was interrupted: run `sudo dpkg --configure -a` on the device, then try again."],
];

export interface AptGetRun {
  result: RunResult;
  output: string[];
  warnings: string[];
}

/** Runs apt-get with its progress turned into progress reports; a failure becomes an ActionError with apt's reason. */
/** `signal` stops apt-get (SIGTERM, then SIGKILL): a cancelled install or upgrade may leave dpkg to finish with `dpkg --configure -a`. */
export async function aptGet(host: HostPort, request: AptGetRequest, progress: ProgressReporter, signal: AbortSignal): Promise<AptGetRun> {
  const tracker = new AptProgress(aptProgressPhase(request));
  const report = monotonicProgress(progress, 200);
  const result = await host.run("apt-get", aptGetArgs(request), {
    signal,
    timeoutMs: RUN_LIMIT_MS,
    maxOutputBytes: 4 << 20,
    onStdoutLine: (line) => {
      const step = tracker.line(line);
      if (step) report(Math.round(step.percent * 10) / 10, 100, step.message);
    },
  });
  // Standard output came line by line (only its last lines kept); standard error is capped by maxOutputBytes.
  const output = [...tracker.lines, ...result.stderr.split("\n")].map((line) => line.trimEnd()).filter(Boolean);
  const warnings = [...tracker.warnings, ...aptProblems(result.stderr)];
  if (result.exitCode !== 0) throw aptFailed(result, output, warnings);
  report(100, 100, "Done", true);
  return { result, output: output.map((line) => line.slice(0, MAX_LINE)), warnings };
}

function aptFailed(result: RunResult, output: string[], warnings: string[]): ActionError {
  const text = output.join("\n");
  for (const [pattern, code, advice] of FAILURES) {
    const match = pattern.exec(text);
    if (match) return new ActionError(code, `apt-get failed: ${advice(match)}`);
  }
  if (/are you root|Permission denied|a password is required|is not in the sudoers file/i.test(text)) {
    return new ActionError(
      "permission_denied",
      "apt-get needs root: list apt-get in sudo.programs of the bridge configuration and install the sudoers file from `jetson-bridge sudoers`.",
    );
  }
  const why = warnings.filter((w) => w.startsWith("E:")).join(" ") || output.slice(-5).join(" ") || `exit ${result.exitCode ?? result.signal}`;
  return new ActionError("handler_failed", `apt-get failed: ${why.slice(-1500)}`);
}
