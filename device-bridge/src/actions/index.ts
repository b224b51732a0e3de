import { aiHandlers } from "./ai.js";
import { clocksHandlers } from "./clocks.js";
import { containerHandlers } from "./containers.js";
import { fanHandlers } from "./fan.js";
import { gpioHandlers } from "./gpio.js";
import { hardwareHandlers } from "./hardware.js";
import { powerHandlers } from "./power.js";
import { systemHandlers } from "./system.js";
import { sysadminHandlers } from "./sysadmin.js";
import { telemetryHandlers } from "./telemetry.js";
import type { HandlerTable } from "./types.js";
import { bridgeHandlers } from "../update/gateway-refusal.js";

/** Every catalogued action's handler on this device. */
export const handlers: HandlerTable = {
  ...systemHandlers,
  ...telemetryHandlers,
  ...hardwareHandlers,
  ...powerHandlers,
  ...clocksHandlers,
  ...fanHandlers,
  ...gpioHandlers,
  ...containerHandlers, ...aiHandlers,
  ...sysadminHandlers,
  ...bridgeHandlers,
};
