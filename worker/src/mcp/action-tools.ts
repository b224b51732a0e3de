import { catalogue, mayBeDestructive } from "@jetson/protocol";
import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Fleet } from "../fleet.js";
import { PANEL_TOOL_META } from "./app-panel.js";
import type { SchemaRefusals } from "./schema-refusals.js";
import { toolData, toolError } from "./tool-result.js";

/** `system.info` becomes the tool `system_info`. */
export function toolName(action: string): string {
  return action.replaceAll(".", "_");
}

const MAX_TIMEOUT_MS = 10 * 60_000;

/**
 * Destructive tools run only with this set. Elicitation would be nicer, but a
 * stateless server cannot receive the client's answer to its own request.
 */
const CONFIRM = z
  .boolean()
  .optional()
  .describe("Set to true only after the user has explicitly agreed to this destructive action");

/** One MCP tool per catalogued action, with the action's own schemas and hints. */
export function registerActionTools(server: McpServer, fleet: Fleet, refusals: SchemaRefusals): void {
  for (const action of catalogue) {
    const name = toolName(action.name);
    server.registerTool(
      name,
      {
        title: action.title,
        description: action.description,
        // Strict, as on the device (and like every tool here): an argument the action does not define is refused, not dropped.
        inputSchema: refusals.add(name, z.strictObject({
          device: z.string().describe("Device id, as list_devices shows it"),
          ...action.input.shape,
          timeoutMs: z
            .number()
            .int()
            .min(1_000)
            .max(MAX_TIMEOUT_MS)
            .optional()
            .describe(`How long to wait for the device, in ms (default ${action.defaultTimeoutMs})`),
          ...(mayBeDestructive(action) ? { confirm: CONFIRM } : {}),
        }), () => action.name),
        outputSchema: action.output,
        ...(action.name === "telemetry.now" && { _meta: PANEL_TOOL_META }),
        annotations: {
          title: action.title,
          readOnlyHint: action.hints.readOnly,
          destructiveHint: mayBeDestructive(action),
          idempotentHint: action.hints.idempotent,
          openWorldHint: false,
        },
      },
      async ({ device, timeoutMs, confirm, ...args }, ctx) => {
        const progressToken = ctx.mcpReq._meta?.progressToken;
        const outcome = await fleet.invoke(
          device,
          { action: action.name, args, timeoutMs: timeoutMs ?? action.defaultTimeoutMs, confirm: confirm === true },
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
      },
    );
  }
}
