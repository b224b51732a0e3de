import type { z } from "zod";

/** What an action does to the device, shown to MCP clients as tool annotations. */
export interface ActionHints {
  readOnly: boolean;
  destructive: boolean;
  idempotent: boolean;
}

/** An action's facts that cost nothing to hold: what the bridge and the cloud read without validating. */
interface ActionFacts<Name extends string, Input extends z.ZodObject> {
  name: Name;
  title: string;
  description: string;
  hints: ActionHints;
  /**
   * For an action that is not destructive in general but is with some arguments (a container
   * given the host's network): why these arguments make it so, or undefined. Such a call needs
   * the same confirmation as a destructive action. (Method syntax: each entry's own input type.)
   */
  destructiveWhen?(input: z.infer<Input>): string | undefined;
  /** How long the cloud waits for a result unless the caller asks otherwise. */
  defaultTimeoutMs: number;
}

/** An action's argument and result schemas. */
interface ActionSchemas<Input extends z.ZodObject, Output extends z.ZodObject> {
  input: Input;
  output: Output;
}

/**
 * One catalogued action. The input must be an object (it becomes an MCP tool's
 * arguments), and so must the output (MCP structured content is an object).
 */
export interface ActionDefinition<
  Name extends string = string,
  Input extends z.ZodObject = z.ZodObject,
  Output extends z.ZodObject = z.ZodObject,
> extends ActionFacts<Name, Input>,
    ActionSchemas<Input, Output> {}

/**
 * An action whose schemas are built when first read: a bridge validates only the actions it is
 * asked to run, and the whole catalogue's schemas cost it megabytes of heap (the Worker, listing
 * every tool, builds them all on its first listing).
 */
export function defineAction<Name extends string, Input extends z.ZodObject, Output extends z.ZodObject>(
  definition: ActionFacts<Name, Input> & { schemas: () => ActionSchemas<Input, Output> },
): ActionDefinition<Name, Input, Output> {
  const { schemas, ...facts } = definition;
  let built: ActionSchemas<Input, Output> | undefined;
  const build = () => (built ??= schemas());
  return {
    ...facts,
    get input() {
      return build().input;
    },
    get output() {
      return build().output;
    },
  };
}

/** Validates arguments for an action, refusing keys the action does not define (cloud and device use the same rule). */
export function parseActionInput(action: ActionDefinition, args: unknown) {
  return action.input.strict().safeParse(args);
}

/** Whether some call of this action needs confirmation: it is destructive, or may be with some arguments. */
export function mayBeDestructive(action: ActionDefinition): boolean {
  return action.hints.destructive || action.destructiveWhen !== undefined;
}

/**
 * Why this call needs the caller's confirmation, or undefined when it does not. Arguments
 * that do not validate are judged by the action's static hint; they are refused later anyway.
 */
export function destructiveReason(action: ActionDefinition, args: unknown): string | undefined {
  if (action.hints.destructive) return `${action.name} is destructive`;
  const input = action.destructiveWhen ? parseActionInput(action, args) : undefined;
  const why = input?.success ? action.destructiveWhen?.(input.data) : undefined;
  return why === undefined ? undefined : `${action.name} ${why}`;
}

export const READ_ONLY: ActionHints = { readOnly: true, destructive: false, idempotent: true };
