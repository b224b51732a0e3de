import { type ActionName, type CatalogueEntry, catalogue } from "@jetson/protocol";

type InputOf<N extends ActionName> = Extract<CatalogueEntry, { name: N }>["input"];

/** An action's input schema from the catalogue, so a check outside the dispatcher validates exactly as the action does. */
export function catalogueInput<N extends ActionName>(name: N): InputOf<N> {
  const entry = catalogue.find((action) => action.name === name);
  if (!entry) throw new Error(`no catalogue entry ${name}`);
  // The entry named N has N's input schema; TypeScript cannot follow find() through the union.
  return entry.input as InputOf<N>;
}
