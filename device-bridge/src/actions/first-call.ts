import { catalogue } from "@jetson/protocol";
import type { ActionContext, HandlerTable } from "./types.js";

type AnyHandler = (input: unknown, context: ActionContext) => Promise<unknown>;

/**
 * The handlers of the actions in `areas` (the part of an action's name before its dot), loaded from
 * their module when one of them first runs: until then neither that module nor what only it imports
 * initialises. The names come from the catalogue; the module's table gives the types.
 */
export function loadedOnFirstCall<T extends Partial<HandlerTable>>(areas: readonly string[], load: () => Promise<T>): T {
  let loaded: Promise<T> | undefined;
  const names = catalogue.map((action) => action.name).filter((name) => areas.includes(name.slice(0, name.indexOf("."))));
  const run = (name: string): AnyHandler => async (input, context) => {
    const table: Partial<Record<string, unknown>> = await (loaded ??= load());
    // The dispatcher parsed the input with this action's own schema, so the handler's parameter type holds.
    const handler = table[name] as AnyHandler | undefined;
    if (!handler) throw new Error(`Bridge bug: the module of ${areas.join(", ")} actions has no handler for ${name}.`);
    return handler(input, context);
  };
  // Typed by the module's table; the test of this file checks that its names are this table's.
  return Object.fromEntries(names.map((name) => [name, run(name)])) as T;
}
