import { systemHandlers } from "./system.js";
import { telemetryHandlers } from "./telemetry.js";
import type { HandlerTable } from "./types.js";

/** Every catalogued action's handler on this device. */
export const handlers: HandlerTable = { ...systemHandlers, ...telemetryHandlers };
