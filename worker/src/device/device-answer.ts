import { type ActionDefinition, type ChannelMessage, cleanDeviceAnswer, MAX_ERROR_MESSAGE } from "@jetson/protocol";
import { z } from "zod";

type Result = ChannelMessage<"result">;

/**
 * A device's result as its action's output schema reads it, before anything stores or shows it:
 * keys the schema does not name dropped, every string cleaned and shortened (cleanDeviceAnswer).
 * Data of another shape (a bridge of another version, or a device that lies) is the device's
 * failure, said plainly, rather than passed on.
 */
export function readDeviceAnswer(action: ActionDefinition, result: Result): Result {
  if (!result.ok) return result;
  const output = action.output.safeParse(result.data);
  if (output.success) return { ...result, data: cleanDeviceAnswer(output.data) };
  const why = `The device's answer to ${action.name} does not have the shape this action returns (a bridge of another version?): ${z.prettifyError(output.error)}`;
  return { id: result.id, ok: false, startedAt: result.startedAt, endedAt: result.endedAt, error: { code: "handler_failed", message: why.slice(0, MAX_ERROR_MESSAGE) } };
}
