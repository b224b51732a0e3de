import type { CallToolResult } from "@modelcontextprotocol/server";
import { FleetError } from "../fleet.js";

/** A successful tool result: the data as structured content and as text for clients that read only text. */
export function toolData(data: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(data) }], structuredContent: data };
}

/** A failure the model can read and act on (not a protocol error). */
export function toolError(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

/** Runs a tool body, turning a fleet refusal (scope, unknown device) into an error result. */
export async function guarded(body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof FleetError) return toolError(error.message);
    throw error;
  }
}
