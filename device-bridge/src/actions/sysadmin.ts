import { logHandlers } from "./logs.js";
import { networkHandlers } from "./network.js";
import { packageHandlers } from "./packages.js";
import { processHandlers } from "./processes.js";
import { serviceHandlers } from "./services.js";
import { storageHandlers } from "./storage.js";
import { timeHandlers } from "./time.js";
import type { HandlerTable } from "./types.js";

/** Handlers of the system administration actions (protocol catalogue/sysadmin.ts). */
export const sysadminHandlers = {
  ...serviceHandlers,
  ...packageHandlers,
  ...storageHandlers,
  ...networkHandlers,
  ...logHandlers,
  ...processHandlers,
  ...timeHandlers,
} satisfies Partial<HandlerTable>;
