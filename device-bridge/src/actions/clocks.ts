import { clocksStatus, lockClocks, restoreClocks, savedClocksExist } from "./clocks-control.js";
import { savedClocksAreCurrent } from "./saved-clocks-record.js";
import { ActionError } from "../action-error.js";
import { type HandlerTable } from "./types.js";

export const clocksHandlers = {
  "clocks.status": async (_input, { host }) => clocksStatus(host),

  "clocks.lock": async (_input, { host, stateDir }) => lockClocks(host, stateDir),

  "clocks.restore": async (_input, { host, stateDir }) => {
    if (!(await savedClocksExist(host))) {
      throw new ActionError(
        "unavailable",
        "No saved clock settings: clocks.lock saves them before it locks, and this bridge has not locked the clocks.",
      );
    }
    const status = await clocksStatus(host);
    // Nothing to end (a reboot ends the lock but keeps the file).
    if (!status.lockedAtMax) return { status };
    // A lock taken again by hand after a reboot or a mode change: the saved settings would lift the current mode's limits.
    if (!(await savedClocksAreCurrent(host, stateDir))) {
      throw new ActionError(
        "unavailable",
        "The saved clock settings belong to another power mode or were saved before a reboot, so restoring them would lift the limits of the current mode; the clocks stay locked. power.reboot ends the lock, leaving the limits of the current mode.",
      );
    }
    await restoreClocks(host);
    return { status: await clocksStatus(host) };
  },
} satisfies Partial<HandlerTable>;
