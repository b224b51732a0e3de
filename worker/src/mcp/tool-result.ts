import { type CallToolResult, type InputRequiredResult, ProtocolError } from "@modelcontextprotocol/server";
import { FleetError } from "../fleet.js";

/** A successful tool result: the data as structured content and as text for clients that read only text. */
export function toolData(data: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(data) }], structuredContent: data };
}

/** A failure the model can read and act on (not a protocol error). */
export function toolError(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

/**
 * Runs a tool body, turning a fleet refusal (scope, unknown device) into an error result, and any other
 * failure into one that names no internals (an engine's error text, a stack): those go to the Worker's
 * log under a reference the message gives. A protocol error stays one.
 */
export async function guarded<T extends CallToolResult | InputRequiredResult>(body: () => Promise<T>): Promise<T | CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof FleetError) return toolError(error.message);
    if (error instanceof ProtocolError) throw error;
    const reference = crypto.randomUUID().slice(0, 8);
    console.error(`tool call failed (${reference}):`, error);
    return toolError(`Internal error (reference ${reference}): nothing more can be said here; the operator's Worker log has the details.`);
  }
}
