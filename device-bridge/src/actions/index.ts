import { clocksHandlers } from "./clocks.js";
import { fanHandlers } from "./fan.js";
import { loadedOnFirstCall } from "./first-call.js";
import { hardwareHandlers } from "./hardware.js";
import { powerHandlers } from "./power.js";
import { systemHandlers } from "./system.js";
import { telemetryHandlers } from "./telemetry.js";
import type { HandlerTable } from "./types.js";
import { bridgeHandlers } from "../update/gateway-refusal.js";

/** The areas of the system administration actions (protocol catalogue/sysadmin.ts). */
export const SYSADMIN_AREAS = ["services", "packages", "storage", "network", "logs", "processes", "time"] as const;

/**
 * Every catalogued action's handler on this device. Those a device may never be asked for load
 * on first use, with what only they need (the Engine API client, the model store, gpiod's maps,
 * the package and service tools), so that a bridge that only reports telemetry stays small.
 */
export const handlers: HandlerTable = {
  ...systemHandlers,
  ...telemetryHandlers,
  ...hardwareHandlers,
  ...powerHandlers,
  ...clocksHandlers,
  ...fanHandlers,
  ...loadedOnFirstCall(["gpio"], () => import("./gpio.js").then((m) => m.gpioHandlers)),
  ...loadedOnFirstCall(["containers"], () => import("./containers.js").then((m) => m.containerHandlers)),
  ...loadedOnFirstCall(["ai"], () => import("./ai.js").then((m) => m.aiHandlers)),
  ...loadedOnFirstCall(SYSADMIN_AREAS, () => import("./sysadmin.js").then((m) => m.sysadminHandlers)),
  ...bridgeHandlers,
};
