import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as delay } from "node:timers/promises";
import { parseArgs } from "node:util";
import { ConfigError } from "../config-error.js";
import type { Logger } from "../log.js";
import type { PendingUpdate } from "./pending-update.js";
import { ReleaseDir } from "./release-dir.js";
import { HELPER_SCRIPT_VARIABLE, RELEASES_DIR_VARIABLE, UPDATE_EXIT_CODE } from "./launcher-contract.js";

/** How often the launcher looks whether a release on trial has passed its health check. */
const TRIAL_POLL_MS = 200;
/** How long a bridge that is told to stop has before it is killed. */
const STOP_GRACE_MS = 10_000;

export interface LaunchOptions {
  releases: ReleaseDir;
  /** The bridge's arguments (`run --config FILE`). */
  args: string[];
  /** What runs when no release is installed: the bundle (or launcher script) this process was started from. */
  fallback: string;
  log: Logger;
}

/**
 * The supervisor between systemd (or the local stack) and the bridge. It lives in the bundle
 * that was installed by hand and is never replaced by an update, so a new release that crashes at
 * start, or never comes online, cannot stop its own rollback: the launcher gives a release on trial
 * its health timeout, and unless the bridge ends the trial itself (BridgeUpdater.telemetryDelivered)
 * it stops it, points `current` back at the previous release, records why and starts that one.
 * A bridge exiting with UPDATE_EXIT_CODE is started again on the new `current`; any other exit ends
 * the launcher with the same code, for systemd's Restart= to handle.
 */
export async function launch({ releases, args, fallback, log }: LaunchOptions): Promise<number> {
  let stopping = false;
  // systemd (KillMode=control-group) and the local stack (its process group) signal the bridge too: only stop restarting it.
  const stop = () => {
    stopping = true;
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  try {
    for (;;) {
      const version = await releases.linked("current");
      let pending = await releases.pending();
      if (pending && pending.version !== version) {
        // The switch never happened (a crash in between): nothing is on trial.
        await releases.clearPending();
        pending = undefined;
      }
      const bundle = version === undefined ? fallback : releases.bundle(version);
      log.info(`starting bridge ${version ?? "(as installed)"}${pending ? `, on trial for ${pending.healthTimeoutSeconds} s` : ""}`);
      const child = spawn(process.execPath, [bundle, ...args], {
        stdio: "inherit",
        env: { ...process.env, [RELEASES_DIR_VARIABLE]: releases.dir, [HELPER_SCRIPT_VARIABLE]: fallback },
      });
      const exited = exitOf(child);
      if (pending) {
        const failure = await trial(releases, pending, exited);
        if (failure !== undefined && !stopping) {
          await stopBridge(child, exited);
          await rollBack(releases, pending, failure, log);
          continue;
        }
      }
      const code = await exited;
      if (stopping || code !== UPDATE_EXIT_CODE) return code;
    }
  } finally {
    process.off("SIGTERM", stop);
    process.off("SIGINT", stop);
  }
}

/** Resolves with why the release on trial failed, or undefined once it passed (it removed the pending marker). */
async function trial(releases: ReleaseDir, pending: PendingUpdate, exited: Promise<number>): Promise<string | undefined> {
  const deadline = Date.now() + pending.healthTimeoutSeconds * 1_000;
  let exitCode: number | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  for (;;) {
    if ((await releases.pending()) === undefined) return undefined;
    if (exitCode !== undefined) return `bridge ${pending.version} exited with code ${exitCode} before it passed its health check`;
    if (Date.now() >= deadline) return `bridge ${pending.version} did not come online and pass its health check within ${pending.healthTimeoutSeconds} s`;
    await Promise.race([delay(TRIAL_POLL_MS), exited]);
  }
}

async function rollBack(releases: ReleaseDir, pending: PendingUpdate, reason: string, log: Logger): Promise<void> {
  const back = await releases.rollBack();
  await releases.recordOutcome({ version: pending.version, from: pending.from, outcome: "rolled-back", reason, at: Date.now() });
  await releases.clearPending();
  log.warn(`${reason}: rolled back to ${back ?? "the installed bridge"} (${pending.from})`);
}

function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? 128 + (signal === "SIGKILL" ? 9 : 15)));
    child.once("error", () => resolve(127));
  });
}

async function stopBridge(child: ChildProcess, exited: Promise<number>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** `jetson-bridge launch --releases DIR -- run --config FILE`. */
export function launchCommand(args: string[], fallback: string, log: Logger): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { releases: { type: "string" } }, allowPositionals: true });
  if (!values.releases?.startsWith("/")) throw new ConfigError("launch needs --releases with an absolute folder");
  return launch({ releases: new ReleaseDir(values.releases), args: positionals, fallback, log });
}
