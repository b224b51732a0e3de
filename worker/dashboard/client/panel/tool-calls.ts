import type { z } from "zod";
import type { AppsBridge, CallToolResult } from "./apps-bridge.js";

/** A tool answered with an error result (unknown device, device offline, scope): its text is for the user. */
export class ToolFailed extends Error {}

export const textOf = (result: CallToolResult): string => result.content.map((block) => block.text ?? "").join("\n");

/** Calls a tool through the host and reads its structured result with the tool's own output schema. */
export async function callTool<T>(bridge: AppsBridge, name: string, args: Record<string, unknown>, schema: z.ZodType<T>): Promise<T> {
  const result = await bridge.callTool(name, args);
  if (result.isError) throw new ToolFailed(textOf(result) || `${name} failed.`);
  return schema.parse(result.structuredContent);
}

/**
 * Runs `step` every `ms` after the previous one finished (never two at once), skipping
 * while the panel is hidden. Returns what stops it.
 */
export function every(ms: number, step: () => Promise<void>): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const next = () => {
    if (!stopped) timer = setTimeout(run, ms);
  };
  const run = () => {
    if (document.hidden) return next();
    step().finally(next);
  };
  next();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
