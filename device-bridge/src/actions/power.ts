import type { CurrentPowerMode, PowerModeSetResult } from "@jetson/protocol";
import type { HostPort } from "../host/port.js";
import { modeOf, queryPowerMode, readPowerModeTable, runNvpmodelSet, switchNeedsReboot } from "../machine/power-modes.js";
import { POWEROFF_COMMAND, REBOOT_COMMAND } from "../machine/systemctl-commands.js";
import { parseNvpmodelSetOutput } from "../parsers/nvpmodel.js";
import { clocksLockedAtMax, lockClocks, restoreClocks, savedClocksExist } from "./clocks-control.js";
import { savedClocksAreCurrent } from "./saved-clocks-record.js";
import { runChecked } from "./run-checked.js";
import { ActionError } from "../action-error.js";
import { type HandlerTable } from "./types.js";

const label = (mode: CurrentPowerMode) => `${mode.name} (${mode.id})`;

export const powerHandlers = {
  "power.modes": async (_input, { host }) => {
    const [table, current] = await Promise.all([readPowerModeTable(host), queryPowerMode(host)]);
    const active = table.modes.find((m) => m.id === current.id);
    return { ...table, modes: table.modes.map((mode) => ({ ...mode, rebootRequired: switchNeedsReboot(active, mode) })), current };
  },

  "power.get": async (_input, { host }) => queryPowerMode(host),

  // Never reboots: a mode that needs one is refused (power.reboot switches to it).
  "power.set": async (choice, { host, stateDir, reportState }) => {
    const table = await readPowerModeTable(host);
    const mode = modeOf(table, choice);
    const requested = { id: mode.id, name: mode.name };
    const previous = await queryPowerMode(host);
    if (previous.id === mode.id) {
      const message = `Already in ${label(previous)}.`;
      return { requested, previous, current: previous, changed: false, rebootRequired: false, clocksRelocked: false, message };
    }
    if (switchNeedsReboot(table.modes.find((m) => m.id === previous.id), mode)) throw needsReboot(requested, previous);
    // As jtop does: jetson_clocks' lock is paused for the switch and taken again in the new mode.
    const locked = await clocksLockedAtMax(host);
    // A lock taken by hand has no saved settings to pause with, nor any to keep for clocks.restore:
    // settings left from another mode or boot are not this lock's.
    const saved = locked && (await savedClocksExist(host)) && (await savedClocksAreCurrent(host, stateDir));
    if (saved) await restoreClocks(host);
    try {
      return await switchMode(host, requested, previous, reportState, locked);
    } finally {
      if (locked) await lockClocks(host, stateDir, saved);
    }
  },

  // The link drops as the system stops the bridge; the cloud then shows the device offline.
  "power.shutdown": async (_input, { host }) => {
    const at = Date.now();
    await runChecked(host, "systemctl", POWEROFF_COMMAND, { timeoutMs: 30_000 });
    return { poweringOff: true as const, at, message: "The device is powering off; it stays off until it is powered on at the board." };
  },

  "power.reboot": async ({ powerModeId, powerModeName }, { host }) => {
    if (powerModeId === undefined && powerModeName === undefined) {
      await systemctlReboot(host);
      return { rebooting: true as const, message: "The device is rebooting." };
    }
    const mode = modeOf(await readPowerModeTable(host), { id: powerModeId, name: powerModeName });
    const powerMode = { id: mode.id, name: mode.name };
    if ((await queryPowerMode(host)).id !== mode.id) {
      const result = await runNvpmodelSet(host, mode.id, "YES");
      const said = parseNvpmodelSetOutput(result.stdout);
      // nvpmodel records a reboot-bound mode and reboots the board itself.
      if (said.rebooting) {
        return { rebooting: true as const, powerMode, message: `nvpmodel set ${label(powerMode)} and is rebooting the device into it.` };
      }
      if (result.exitCode !== 0) throw nvpmodelFailed(result.exitCode, said.errors, result.stderr);
    }
    await systemctlReboot(host);
    return { rebooting: true as const, powerMode, message: `The device is rebooting in ${label(powerMode)}.` };
  },
} satisfies Partial<HandlerTable>;

/** `nvpmodel -m`, declining a reboot it asks for, and the mode the board then reports. */
async function switchMode(
  host: HostPort,
  requested: CurrentPowerMode,
  previous: CurrentPowerMode,
  reportState: () => Promise<void>,
  clocksRelocked: boolean,
): Promise<PowerModeSetResult> {
  const result = await runNvpmodelSet(host, requested.id, "NO");
  const said = parseNvpmodelSetOutput(result.stdout);
  // nvpmodel knows best: a board whose table does not tell it apart still asks.
  if (said.rebootRequired || said.rebootPrompted) throw needsReboot(requested, previous);
  if (result.exitCode !== 0) throw nvpmodelFailed(result.exitCode, said.errors, result.stderr);
  const current = await queryPowerMode(host);
  if (current.id !== requested.id) {
    throw new ActionError("handler_failed", `nvpmodel accepted ${label(requested)}, but the board still reports ${label(current)}.`);
  }
  // Before the result, so the fleet shows the new mode by the time the caller hears it changed.
  await reportState();
  const kept = clocksRelocked ? " Clocks stay locked, at its maximum." : "";
  return { requested, previous, current, changed: true, rebootRequired: false, clocksRelocked, message: `Switched from ${label(previous)} to ${label(current)}.${kept}` };
}

/** A failure, not an unchanged answer: a fleet run or canary must not count a device left in its old mode as done. */
function needsReboot(requested: CurrentPowerMode, previous: CurrentPowerMode): ActionError {
  return new ActionError(
    "unavailable",
    `${label(requested)} needs a reboot on this board (its GPU TPC power gating differs from that of ${label(previous)}), so nothing was changed. ` +
      `To switch, call power.reboot with powerModeId ${requested.id} (or powerModeName ${requested.name}): the board records the mode and reboots into it.`,
  );
}

async function systemctlReboot(host: HostPort): Promise<void> {
  await runChecked(host, "systemctl", REBOOT_COMMAND, { timeoutMs: 30_000 });
}

function nvpmodelFailed(exitCode: number | null, errors: string[], stderr: string): ActionError {
  const detail = errors.join("; ") || stderr.trim() || "no message";
  return new ActionError("handler_failed", `nvpmodel -m failed (exit ${exitCode}): ${detail}`);
}
