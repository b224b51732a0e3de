// What clocks.* and power.set do with jetson_clocks: read the state, lock after saving, restore the saved settings.
import type { ClocksStatus } from "@jetson/protocol";
import { HostPortError, type HostPort, type RunResult } from "../host/port.js";
import { CLOCKS_LOCK, CLOCKS_RESTORE, CLOCKS_SHOW, CLOCKS_STORE, SAVED_CLOCKS_DIR, SAVED_CLOCKS_FILE } from "../machine/jetson-clocks-commands.js";
import { parseJetsonClocksShow } from "../parsers/jetson-clocks.js";
import { ActionError } from "../action-error.js";
import { recordSavedClocks } from "./saved-clocks-record.js";

export async function clocksStatus(host: HostPort): Promise<ClocksStatus> {
  const result = await jetsonClocks(host, CLOCKS_SHOW);
  try {
    return parseJetsonClocksShow(result.stdout);
  } catch (error) {
    throw new ActionError("handler_failed", `jetson_clocks --show: ${(error as Error).message}`);
  }
}

/** Whether jetson_clocks holds the clocks at maximum; false where jetson_clocks is not installed. */
export async function clocksLockedAtMax(host: HostPort): Promise<boolean> {
  try {
    return (await clocksStatus(host)).lockedAtMax;
  } catch (error) {
    if (error instanceof HostPortError && error.reason === "not_found") return false;
    throw error;
  }
}

/**
 * Locks the clocks at the current mode's maximum, saving the settings first (unless asked not to, or
 * they are locked already).
 */
export async function lockClocks(host: HostPort, stateDir: string, save = true): Promise<{ status: ClocksStatus; saved: boolean }> {
  // Saving while locked would overwrite the settings worth restoring with the locked ones.
  const saved = save && !(await clocksStatus(host)).lockedAtMax;
  if (saved) {
    if ((await host.statFs(SAVED_CLOCKS_DIR)) === undefined) {
      throw new ActionError(
        "unavailable",
        `${SAVED_CLOCKS_DIR} is missing: it holds the settings clocks.restore brings back and only root may write it. Create it (sudo install -d -m 0755 -o root -g root ${SAVED_CLOCKS_DIR}) or provision the device again.`,
      );
    }
    // L4T's jetson_clocks asks before it overwrites an earlier save, and fails unless answered y.
    await jetsonClocks(host, CLOCKS_STORE, "y\n");
    await recordSavedClocks(host, stateDir);
  }
  await jetsonClocks(host, CLOCKS_LOCK);
  return { status: await clocksStatus(host), saved };
}

/** Whether the settings clocks.lock saved are on the board (read through the host port: on the Jetson itself). */
export async function savedClocksExist(host: HostPort): Promise<boolean> {
  return (await host.readFile(SAVED_CLOCKS_FILE)) !== undefined;
}

/** Brings back the settings clocks.lock saved, ending the lock. */
export async function restoreClocks(host: HostPort): Promise<void> {
  await jetsonClocks(host, CLOCKS_RESTORE);
}

async function jetsonClocks(host: HostPort, args: readonly string[], stdin?: string): Promise<RunResult> {
  const result = await host.run("jetson_clocks", args, { timeoutMs: 30_000, stdin });
  if (result.exitCode === 0) return result;
  const detail = (result.stderr || result.stdout).trim() || `exit ${result.exitCode ?? result.signal}`;
  const code = /root|permission/i.test(detail) ? "permission_denied" : "handler_failed";
  throw new ActionError(code, `jetson_clocks ${args.join(" ")} failed: ${detail}`);
}
