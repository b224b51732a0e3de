import { logActions } from "./logs.js";
import { networkActions } from "./network.js";
import { packageActions } from "./packages.js";
import { processActions } from "./processes.js";
import { serviceActions } from "./services.js";
import { storageActions } from "./storage.js";
import { timeActions } from "./time.js";

/** System administration: everything a Linux administrator does on the device, without a shell. */
export const sysadminActions = [
  ...serviceActions,
  ...packageActions,
  ...storageActions,
  ...networkActions,
  ...logActions,
  ...processActions,
  ...timeActions,
] as const;
