import { ActionError } from "../action-error.js";
import type { Handler } from "../actions/types.js";

/** bridge.update where no updater serves it: a Jetson reached over SSH runs no bridge of its own to replace. */
export const bridgeHandlers: { "bridge.update": Handler<"bridge.update"> } = {
  "bridge.update": async () => {
    throw new ActionError("not_supported", "This device is served over SSH by a gateway bridge: bridge.update replaces a bridge on its own machine only (update the gateway's device instead).");
  },
};
