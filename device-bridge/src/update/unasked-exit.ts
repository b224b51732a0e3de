import type { Logger } from "../log.js";

/** How the launcher ends a release that ended with 0 though no stop was asked for (EX_SOFTWARE): a failure, which systemd restarts. */
export const UNASKED_EXIT_CODE = 70;

/**
 * A release ends with 0 only when asked to stop: `systemctl stop` (SIGTERM) or Ctrl-C (SIGINT). One
 * that ends with 0 by itself (its event loop emptied, an empty bundle, a process.exit(0) of its own)
 * would leave the device offline, since the unit's Restart=on-failure takes 0 for a stop asked for;
 * so the process ends with UNASKED_EXIT_CODE instead, and systemd starts it again. Answers how an
 * exit code counts, for the launcher's notes of how the process ended.
 */
export function failUnaskedExits(log: Logger): (exitCode: number) => number {
  let asked = false;
  const counted = (exitCode: number) => (exitCode === 0 && !asked ? UNASKED_EXIT_CODE : exitCode);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      asked = true;
      // A listener takes the signal's default (the end of the process) away: while the release
      // has none of its own yet (it is still loading), the stop ends the process here, cleanly.
      if (process.listenerCount(signal) === 1) process.exit(0);
    });
  }
  const unasked = () => log.error(`the bridge ended by itself, with no stop asked for: ending with code ${UNASKED_EXIT_CODE}, a failure, so that it is started again`);
  // The event loop emptied: ended through process.exit, every exit listener (the trial's note, the failed starts') sees the failure.
  process.once("beforeExit", (exitCode) => {
    if (counted(exitCode) === exitCode) return;
    unasked();
    process.exit(UNASKED_EXIT_CODE);
  });
  // The release's own process.exit(0): the listeners were told 0, so only the code systemd sees changes here.
  process.once("exit", (exitCode) => {
    if (counted(exitCode) === exitCode) return;
    unasked();
    process.exitCode = UNASKED_EXIT_CODE;
  });
  return counted;
}
