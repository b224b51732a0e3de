import type { CurrentPowerMode } from "@jetson/protocol";
import type { HostPort } from "../host/port.js";
import { modeOf, queryPowerMode, readPowerModeTable, runNvpmodelSet } from "../machine/power-modes.js";
import { parseNvpmodelSetOutput } from "../parsers/nvpmodel.js";
import { ActionError, type HandlerTable } from "./types.js";

const label = (mode: CurrentPowerMode) => `${mode.name} (${mode.id})`;

export const powerHandlers = {
  "power.modes": async (_input, { host }) => {
    const [table, current] = await Promise.all([readPowerModeTable(host), queryPowerMode(host)]);
    return { ...table, current };
  },

  "power.get": async (_input, { host }) => queryPowerMode(host),

  // Never reboots: a mode that needs one is declined at nvpmodel's prompt and reported (power.reboot switches to it).
  "power.set": async ({ id }, { host }) => {
    const mode = modeOf(await readPowerModeTable(host), id);
    const requested = { id: mode.id, name: mode.name };
    const previous = await queryPowerMode(host);
    if (previous.id === id) {
      const message = `Already in ${label(previous)}.`;
      return { requested, previous, current: previous, changed: false, rebootRequired: false, message };
    }
    const result = await runNvpmodelSet(host, id, "NO");
    const said = parseNvpmodelSetOutput(result.stdout);
    if (said.rebootRequired || said.rebootPrompted) {
      return {
        requested,
        previous,
        current: previous,
        changed: false,
        rebootRequired: true,
        message:
          `${label(requested)} only takes effect after a reboot, so nothing was changed. ` +
          `To switch, call power.reboot with powerModeId ${id}: the board records the mode and reboots into it.`,
      };
    }
    if (result.exitCode !== 0) throw nvpmodelFailed(result.exitCode, said.errors, result.stderr);
    const current = await queryPowerMode(host);
    if (current.id !== id) {
      throw new ActionError("handler_failed", `nvpmodel accepted ${label(requested)}, but the board still reports ${label(current)}.`);
    }
    return { requested, previous, current, changed: true, rebootRequired: false, message: `Switched from ${label(previous)} to ${label(current)}.` };
  },

  "power.reboot": async ({ powerModeId }, { host }) => {
    if (powerModeId === undefined) {
      await systemctlReboot(host);
      return { rebooting: true as const, message: "The device is rebooting." };
    }
    const mode = modeOf(await readPowerModeTable(host), powerModeId);
    const powerMode = { id: mode.id, name: mode.name };
    if ((await queryPowerMode(host)).id !== powerModeId) {
      const result = await runNvpmodelSet(host, powerModeId, "YES");
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

async function systemctlReboot(host: HostPort): Promise<void> {
  const result = await host.run("systemctl", ["reboot"], { timeoutMs: 30_000 });
  if (result.exitCode === 0) return;
  const detail = result.stderr.trim() || `exit ${result.exitCode ?? result.signal}`;
  const denied = /access denied|authentication|permission|not permitted/i.test(detail);
  throw new ActionError(denied ? "permission_denied" : "handler_failed", `systemctl reboot failed: ${detail}`);
}

function nvpmodelFailed(exitCode: number | null, errors: string[], stderr: string): ActionError {
  const detail = errors.join("; ") || stderr.trim() || "no message";
  return new ActionError("handler_failed", `nvpmodel -m failed (exit ${exitCode}): ${detail}`);
}
