import type { z } from "zod";

/** What an action does to the device, shown to MCP clients as tool annotations. */
export interface ActionHints {
  readOnly: boolean;
  destructive: boolean;
  idempotent: boolean;
}

/**
 * One catalogued action. The input must be an object (it becomes an MCP tool's
 * arguments), and so must the output (MCP structured content is an object).
 */
export interface ActionDefinition<
  Name extends string = string,
  Input extends z.ZodObject = z.ZodObject,
  Output extends z.ZodObject = z.ZodObject,
> {
  name: Name;
  title: string;
  description: string;
  input: Input;
  output: Output;
  hints: ActionHints;
  /** How long the cloud waits for a result unless the caller asks otherwise. */
  defaultTimeoutMs: number;
}

export function defineAction<Name extends string, Input extends z.ZodObject, Output extends z.ZodObject>(
  definition: ActionDefinition<Name, Input, Output>,
): ActionDefinition<Name, Input, Output> {
  return definition;
}

/** Validates arguments for an action, refusing keys the action does not define (cloud and device use the same rule). */
export function parseActionInput(action: ActionDefinition, args: unknown) {
  return action.input.strict().safeParse(args);
}

export const READ_ONLY: ActionHints = { readOnly: true, destructive: false, idempotent: true };
