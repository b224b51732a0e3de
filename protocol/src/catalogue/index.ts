import type { z } from "zod";
import { aiActions } from "./ai.js";
import { bridgeActions } from "./bridge.js";
import { containerActions } from "./containers.js";
import type { ActionDefinition } from "./define.js";
import { hardwareActions } from "./hardware.js";
import { systemInfo, systemPing } from "./system.js";
import { sysadminActions } from "./sysadmin.js";
import { telemetryWatch } from "./telemetry.js";

/** The listing actions, typed, for callers that read their outputs (the Worker's completions). */
export { aiModelList } from "./ai.js";
export { containersList } from "./containers.js";
export { powerModes } from "./hardware.js";
export { servicesList } from "./services.js";
export { bridgeUpdate } from "./bridge.js";
export { defineAction, destructiveReason, mayBeDestructive, parseActionInput, type ActionDefinition, type ActionHints } from "./define.js";

/** Every action a device can run. Add an entry here and a handler in device-bridge. */
export const catalogue = [systemInfo, systemPing, telemetryWatch, ...hardwareActions, ...containerActions, ...aiActions, ...sysadminActions, ...bridgeActions] as const;

export type CatalogueEntry = (typeof catalogue)[number];
export type ActionName = CatalogueEntry["name"];
type EntryByName = { [E in CatalogueEntry as E["name"]]: E };
export type ActionInput<N extends ActionName> = z.infer<EntryByName[N]["input"]>;
export type ActionOutput<N extends ActionName> = z.infer<EntryByName[N]["output"]>;

/** Argument names the cloud adds to every tool, so no action may use them. */
export const RESERVED_ARGUMENTS = ["device", "confirm", "timeoutMs"] as const;

const byName = new Map<string, ActionDefinition>();
for (const entry of catalogue) {
  if (byName.has(entry.name)) throw new Error(`Duplicate action ${entry.name}`);
  byName.set(entry.name, entry);
}

export function findAction(name: string): ActionDefinition | undefined {
  return byName.get(name);
}

/** What a caller is told of a name the catalogue does not have; one written with _ for its dots (a tool's name, power_set) is pointed to the action. */
export function noSuchAction(name: string): string {
  const meant = catalogue.find((entry) => entry.name.replaceAll(".", "_") === name);
  return meant ? `No action ${name} (did you mean ${meant.name}?).` : `No action ${name}.`;
}

export function isActionName(name: string): name is ActionName {
  return byName.has(name);
}
