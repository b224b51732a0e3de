import { isJSONRPCRequest } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Fleet } from "../fleet.js";

/** A tool whose calls become device commands: its input schema, and the action a call names. */
interface CommandTool {
  schema: z.ZodType;
  action(args: Record<string, unknown>): string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Audits the calls of command tools that their input schema refuses. The SDK
 * validates a call before the tool's handler runs, so the handler never sees
 * them: each call is checked here too, against the same schema the tool was
 * registered with.
 */
export class SchemaRefusals {
  private readonly tools = new Map<string, CommandTool>();

  /** Returns the schema, for registering the tool with. */
  add<T extends z.ZodType>(name: string, schema: T, action: (args: Record<string, unknown>) => string): T {
    this.tools.set(name, { schema, action });
    return schema;
  }

  /** Audits the message if it is a call of a command tool that its schema refuses. */
  async audit(message: unknown, fleet: Fleet): Promise<void> {
    if (!isJSONRPCRequest(message) || message.method !== "tools/call") return;
    const name = message.params?.name;
    const tool = typeof name === "string" ? this.tools.get(name) : undefined;
    const args = message.params?.arguments ?? {};
    if (!tool || !isRecord(args)) return;
    const parsed = tool.schema.safeParse(args);
    const { device, ...rest } = args;
    if (parsed.success || typeof device !== "string") return;
    await fleet.auditRefusal(
      device,
      { action: tool.action(args), args: rest },
      { code: "invalid_input", message: `Invalid arguments for ${name}: ${z.prettifyError(parsed.error)}` },
    );
  }
}
