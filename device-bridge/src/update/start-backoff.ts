import type { Logger } from "../log.js";
import { UPDATE_EXIT_CODE } from "./launcher-contract.js";
import type { ReleaseDir } from "./release-dir.js";

/** A process that ends in failure within this long of its start failed to start: the next start waits. */
const FAILED_START_WITHIN_MS = 60_000;
const LONGEST_WAIT_MS = 60_000;

/** How long a start waits after `failures` (one or more) failed starts in a row: 1 s, doubling, at most a minute. */
function waitAfterFailedStarts(failures: number): number {
  return Math.min(1_000 * 2 ** (failures - 1), LONGEST_WAIT_MS);
}

/**
 * systemd starts the bridge again a second after every failure, without end (the unit sets no start
 * limit, and JetPack's Ubuntu predates systemd's RestartSteps=). A bridge that fails at each start (a
 * broken configuration, a missing library) would cost a Node start a second and a journal line each.
 * So each start after failed ones waits longer first. A stop during the wait (systemctl stop or restart)
 * ends it at once and forgets the failures: a restart after a fix starts at once.
 *
 * A process killed at start (SIGKILL, out of memory) records nothing and is not counted. `counted` says
 * how an exit code counts (a release's exit with 0 by itself is a failure: unasked-exit.ts).
 */
export async function backOffAfterFailedStarts(releases: ReleaseDir, log: Logger, counted: (exitCode: number) => number = (exitCode) => exitCode): Promise<void> {
  const failed = await releases.failedStarts();
  const failures = failed?.count ?? 0;
  if (failed) {
    const ms = waitAfterFailedStarts(failures);
    await pause(ms, releases, () =>
      log.warn(
        `the last ${failures} start(s) failed within ${FAILED_START_WITHIN_MS / 1_000} s (the last with exit code ${failed.lastExitCode}): waiting ${ms / 1_000} s before this one; a restart of the service starts at once`,
      ),
    );
  }
  const startedAt = Date.now();
  process.once("exit", (code) => {
    const exitCode = counted(code);
    if (exitCode === 0 || exitCode === UPDATE_EXIT_CODE || Date.now() - startedAt >= FAILED_START_WITHIN_MS) return;
    releases.recordFailedStartsSync({ count: failures + 1, lastExitCode: exitCode });
  });
  // Past the first minute this start did not fail to start, whatever ends it later. A file that cannot be
  // removed only makes a later start wait: it must not end the bridge.
  if (failed) setTimeout(() => void releases.clearFailedStarts().catch(() => undefined), FAILED_START_WITHIN_MS).unref();
}

/**
 * Waits `ms`; a SIGTERM meanwhile is a stop asked for, which forgets the failures and ends the process cleanly.
 * `announce` runs once the stop is handled: whoever reads the announcement may stop the process at once.
 */
function pause(ms: number, releases: ReleaseDir, announce: () => void): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      releases.clearFailedStartsSync();
      process.exit(0);
    };
    process.once("SIGTERM", stop);
    announce();
    setTimeout(() => {
      process.off("SIGTERM", stop);
      resolve();
    }, ms);
  });
}
