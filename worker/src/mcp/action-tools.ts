import { type ActionDefinition, catalogue, destructiveReason, mayBeDestructive } from "@jetson/protocol";
import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Fleet } from "../fleet.js";
import { PANEL_TOOL_META } from "./app-panel.js";
import { actionQuestion, type Confirmations, type Era } from "./confirmation.js";
import type { SchemaRefusals } from "./schema-refusals.js";
import type { TaskCalls } from "./tasks.js";
import { guarded, toolData, toolError } from "./tool-result.js";

/** `system.info` becomes the tool `system_info`. */
export function toolName(action: string): string {
  return action.replaceAll(".", "_");
}

/** Catalogued action names as a text mentions them (power.reboot), the longest first so that none is cut short. */
const MENTIONED_ACTION = new RegExp(`\\b(?:${catalogue.map((action) => action.name.replaceAll(".", "\\.")).sort((a, b) => b.length - a.length).join("|")})\\b`, "g");

/** An action's description for an MCP client: the actions it mentions by their tools' names, which are what the client can call. */
export function withToolNames(text: string): string {
  return text.replace(MENTIONED_ACTION, toolName);
}

const MAX_TIMEOUT_MS = 10 * 60_000;

/** A 2025-11-25 client cannot be asked (a stateless server never receives its answer), so its model confirms with this. */
const CONFIRM = z
  .boolean()
  .optional()
  .describe("Set to true only after the user has explicitly agreed to this destructive action");

function baseSchema(action: ActionDefinition) {
  // Strict, as on the device (and like every tool here): an argument the action does not define is refused, not dropped.
  return z.strictObject({
    device: z.string().describe("Device id, as list_devices shows it"),
    ...action.input.shape,
    timeoutMs: z
      .number()
      .int()
      .min(1_000)
      .max(MAX_TIMEOUT_MS)
      .optional()
      .describe(`How long to wait for the device, in ms (default ${action.defaultTimeoutMs})`),
  });
}

/** The input schema of an action's tool per revision: `confirm` only where the client cannot be asked. Built once per isolate. */
const inputSchemas = new Map<string, ReturnType<typeof inputSchemaOf>>();
function inputSchemaOf(action: ActionDefinition, era: Era) {
  const base = baseSchema(action);
  return era === "legacy" && mayBeDestructive(action) ? base.extend({ confirm: CONFIRM }) : base;
}
function inputSchema(action: ActionDefinition, era: Era) {
  const key = `${era}:${action.name}`;
  const cached = inputSchemas.get(key) ?? inputSchemaOf(action, era);
  inputSchemas.set(key, cached);
  return cached;
}

/** One MCP tool per catalogued action, with the action's own schemas and hints. */
export function registerActionTools(server: McpServer, fleet: Fleet, refusals: SchemaRefusals, confirmations: Confirmations, tasks: TaskCalls): void {
  for (const action of catalogue) {
    const name = toolName(action.name);
    server.registerTool(
      name,
      {
        title: action.title,
        description: withToolNames(action.description),
        inputSchema: refusals.add(name, inputSchema(action, confirmations.era), () => action.name),
        outputSchema: tasks.outputSchema(name, action.output),
        ...(action.name === "telemetry.now" && { _meta: PANEL_TOOL_META }),
        annotations: {
          title: action.title,
          readOnlyHint: action.hints.readOnly,
          destructiveHint: mayBeDestructive(action),
          idempotentHint: action.hints.idempotent,
          openWorldHint: false,
        },
      },
      async ({ device, timeoutMs, ...fields }, ctx) => guarded(async () => {
        // `confirm` is a field only where the client cannot be asked (inputSchemaOf).
        const { confirm, ...args }: { confirm?: boolean } & Record<string, unknown> = fields;
        const why = destructiveReason(action, args);
        const question = why === undefined ? undefined : actionQuestion(action, [device], args, why);
        const gate = await confirmations.gate(ctx, name, { device, timeoutMs, ...args }, question, confirm);
        if (!gate.proceed) return gate.result;
        const call = { action: action.name, args, timeoutMs: timeoutMs ?? action.defaultTimeoutMs, confirmedBy: gate.confirmedBy };
        if (tasks.asTask(name)) return tasks.startCommand(device, call);
        const progressToken = ctx.mcpReq._meta?.progressToken;
        const outcome = await fleet.invoke(
          device,
          call,
          progressToken === undefined
            ? undefined
            : (progress) => {
                void ctx.mcpReq
                  .notify({
                    method: "notifications/progress",
                    params: { progressToken, progress: progress.done, total: progress.total, message: progress.message },
                  })
                  .catch(() => undefined);
              },
        );
        if (!outcome.ok) return toolError(outcome.error.message);
        return toolData(outcome.data as Record<string, unknown>);
      }),
    );
  }
}
