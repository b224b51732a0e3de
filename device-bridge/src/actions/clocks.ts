import { clocksStatus, lockClocks, restoreClocks, savedClocksExist } from "./clocks-control.js";
import { ActionError } from "../action-error.js";
import { type HandlerTable } from "./types.js";

export const clocksHandlers = {
  "clocks.status": async (_input, { host }) => clocksStatus(host),

  "clocks.lock": async (_input, { host }) => lockClocks(host),

  "clocks.restore": async (_input, { host }) => {
    if (!(await savedClocksExist(host))) {
      throw new ActionError(
        "unavailable",
        "No saved clock settings: clocks.lock saves them before it locks, and this bridge has not locked the clocks.",
      );
    }
    const status = await clocksStatus(host);
    // Nothing to end; and the saved settings may be another power mode's, since a reboot ends the lock but keeps the file.
    if (!status.lockedAtMax) return { status };
    await restoreClocks(host);
    return { status: await clocksStatus(host) };
  },
} satisfies Partial<HandlerTable>;
