import { parseArgs } from "node:util";
import { commandName } from "../cli/command-name.js";
import { ConfigError } from "../config-error.js";
import type { Logger } from "../log.js";
import type { PendingUpdate } from "./pending-update.js";
import { ReleaseDir } from "./release-dir.js";
import { backOffAfterFailedStarts } from "./start-backoff.js";
import { HELPER_SCRIPT_VARIABLE, RELEASES_DIR_VARIABLE } from "./launcher-contract.js";
import type { TrialAttempt } from "./trial-attempt.js";
import { watchTrial } from "./trial-watcher.js";
import { failUnaskedExits, UNASKED_EXIT_CODE } from "./unasked-exit.js";

export interface LaunchOptions {
  releases: ReleaseDir;
  /** The bridge's arguments (`run --config FILE`). */
  args: string[];
  /** The bundle (or development script) this process was started from: it runs when no release is installed, and stays sudo's helper. */
  installed: string;
  log: Logger;
}

/**
 * The start of the device's one bridge process. It lives in the bundle that was installed by hand
 * and is never replaced by an update, so a new release that crashes at start, or never comes online,
 * cannot stop its own rollback. systemd restarts the process whenever it ends but for a stop asked
 * for (the release's exit with UPDATE_EXIT_CODE after bridge.update among them; a release that ends
 * with 0 by itself ends with UNASKED_EXIT_CODE, see unasked-exit.ts), and each start
 * decides here which release runs: `current`, unless the release on trial already ended without
 * passing its health check (at an earlier start of this trial), or its time is up; then it points
 * `current` back at the previous release, records why and runs that. A release on trial runs with
 * a watcher that kills the process at the deadline. A start after starts that failed waits first (start-backoff.ts).
 * Each start removes what a process that died left half-written, and a rollback the releases no link needs any more.
 *
 * Prepares this process for the release (its environment and process.argv) and answers the bundle
 * to import, or undefined while none is installed: this bundle then runs its own command.
 */
export async function launch({ releases, args, installed, log }: LaunchOptions): Promise<string | undefined> {
  await tidy(releases.clearLeftovers(), "remove leftover temporary files", log);
  let version = await releases.linked("current");
  let pending = await releases.pending();
  if (pending && pending.version !== version) {
    // The switch never happened (a crash in between): nothing is on trial.
    await releases.clearPending();
    pending = undefined;
  }
  const attempt = pending && (await earlierAttempt(releases, pending));
  const failure = pending && attempt && whyFailed(pending, attempt);
  if (pending && failure) {
    version = await rollBack(releases, pending, failure, log);
    pending = undefined;
  }
  // Before anything listens for SIGTERM (the wait after failed starts), so that a stop then counts as asked for.
  // Only a release serving the device is held to it: the installed bundle, and a command that ends by itself (`--version`), end as they do.
  const counted = version === undefined || commandName(args) !== "run" ? (exitCode: number) => exitCode : failUnaskedExits(log);
  // A rollback forgot the failed starts (they were the new release's): the previous release runs at once.
  await backOffAfterFailedStarts(releases, log, counted);
  if (pending) {
    const firstStartedAt = attempt?.firstStartedAt ?? Date.now();
    await startAttempt(releases, { version: pending.version, requestedAt: pending.requestedAt, firstStartedAt }, counted);
    const deadline = firstStartedAt + pending.healthTimeoutSeconds * 1_000;
    watchTrial({ pendingFile: releases.pendingFile, deadline }, log);
    log.info(`starting bridge ${pending.version}, on trial for ${Math.ceil((deadline - Date.now()) / 1_000)} s more`);
  } else {
    await releases.clearTrialAttempt();
    log.info(`starting bridge ${version ?? "(as installed)"}`);
  }
  // The bridge's side of the contract (launcher-contract.ts), the same whether the release runs in
  // this process or, under a launcher installed before, as its child: releases of either kind run under launchers of either kind.
  process.env[RELEASES_DIR_VARIABLE] = releases.dir;
  process.env[HELPER_SCRIPT_VARIABLE] = installed;
  // The release's CLI parses the arguments after the script, which stays the installed bundle.
  process.argv = [process.execPath, installed, ...args];
  return version === undefined ? undefined : releases.bundle(version);
}

/** The note of this trial's earlier start, if one ran (a note of another update's trial is not). */
async function earlierAttempt(releases: ReleaseDir, pending: PendingUpdate): Promise<TrialAttempt | undefined> {
  const attempt = await releases.trialAttempt();
  return attempt?.version === pending.version && attempt.requestedAt === pending.requestedAt ? attempt : undefined;
}

/** Why the trial failed at its earlier start, or undefined when it may go on (a stop asked for, with time left). */
function whyFailed(pending: PendingUpdate, attempt: TrialAttempt): string | undefined {
  const { version, healthTimeoutSeconds } = pending;
  if (attempt.exitCode === UNASKED_EXIT_CODE) return `bridge ${version} ended by itself, with no stop asked for, before it passed its health check`;
  if (attempt.exitCode !== undefined && attempt.exitCode !== 0) return `bridge ${version} exited with code ${attempt.exitCode} before it passed its health check`;
  if (Date.now() >= attempt.firstStartedAt + healthTimeoutSeconds * 1_000) return `bridge ${version} did not come online and pass its health check within ${healthTimeoutSeconds} s`;
  if (attempt.exitCode === undefined) return `bridge ${version} died before it passed its health check (killed, out of memory or a power loss: it recorded no exit code)`;
  return undefined;
}

/**
 * Notes the attempt before the release runs, and its exit code (as `counted` counts it) when the process
 * can still record it. A stop before the release handles SIGTERM itself ends with 0 (failUnaskedExits):
 * a clean stop, where a death by the signal would record nothing, which the next start takes for a crash.
 */
async function startAttempt(releases: ReleaseDir, attempt: TrialAttempt, counted: (exitCode: number) => number): Promise<void> {
  await releases.setTrialAttempt(attempt);
  process.once("exit", (exitCode) => releases.recordTrialExitSync({ ...attempt, exitCode: counted(exitCode) }));
}

async function rollBack(releases: ReleaseDir, pending: PendingUpdate, reason: string, log: Logger): Promise<string | undefined> {
  const back = await releases.rollBack();
  await releases.recordOutcome({ version: pending.version, from: pending.from, outcome: "rolled-back", reason, at: Date.now() });
  await releases.clearPending();
  await releases.clearTrialAttempt();
  await releases.clearFailedStarts();
  log.warn(`${reason}: rolled back to ${back ?? "the installed bridge"} (${pending.from})`);
  await tidy(releases.prune(), "delete the releases it no longer needs", log);
  return back;
}

/** Tidying the release folder never stops a start: what is left is tried again later. */
async function tidy(work: Promise<void>, what: string, log: Logger): Promise<void> {
  await work.catch((error: Error) => log.warn(`could not ${what}: ${error.message}`));
}

/** `jetson-bridge launch --releases DIR -- run --config FILE`. */
export function launchCommand(args: string[], installed: string, log: Logger): Promise<string | undefined> {
  const { values, positionals } = parseArgs({ args, options: { releases: { type: "string" } }, allowPositionals: true });
  if (!values.releases?.startsWith("/")) throw new ConfigError("launch needs --releases with an absolute folder");
  return launch({ releases: new ReleaseDir(values.releases), args: positionals, installed, log });
}
