import { MODERN_REVISION } from "./stack.js";

const TASKS = "io.modelcontextprotocol/tasks";

export interface RpcAnswer {
  result?: Record<string, unknown> & { resultType?: string; taskId?: string; status?: string };
  error?: { code: number; message: string; data?: unknown };
}

/**
 * A 2026-07-28 client that speaks JSON-RPC over HTTP itself: SDK v2 2.4.0's Client
 * refuses a `resultType: "task"` answer, and has no tasks/* methods. It declares the
 * tasks extension on every request unless told not to, and names the task in
 * `Mcp-Name` as the extension requires.
 */
export class TasksClient {
  private nextId = 1;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly declareTasks = true,
  ) {}

  callTool(name: string, args: Record<string, unknown>): Promise<RpcAnswer> {
    return this.send("tools/call", { name, arguments: args }, name);
  }

  getTask(taskId: string): Promise<RpcAnswer> {
    return this.send("tasks/get", { taskId }, taskId);
  }

  cancelTask(taskId: string): Promise<RpcAnswer> {
    return this.send("tasks/cancel", { taskId }, taskId);
  }

  updateTask(taskId: string, inputResponses: Record<string, unknown> = {}): Promise<RpcAnswer> {
    return this.send("tasks/update", { taskId, inputResponses }, taskId);
  }

  /** Polls tasks/get (at the interval the task asks for) until `ok` holds of the task, or 60 s pass. */
  async until(taskId: string, ok: (task: NonNullable<RpcAnswer["result"]>) => boolean): Promise<NonNullable<RpcAnswer["result"]>> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { result, error } = await this.getTask(taskId);
      if (!result) throw new Error(`tasks/get ${taskId}: ${JSON.stringify(error)}`);
      if (ok(result) || Date.now() > deadline) return result;
      await new Promise((resolve) => setTimeout(resolve, Number(result.pollIntervalMs ?? 500)));
    }
  }

  private async send(method: string, params: Record<string, unknown>, name: string): Promise<RpcAnswer> {
    const meta = {
      "io.modelcontextprotocol/protocolVersion": MODERN_REVISION,
      "io.modelcontextprotocol/clientInfo": { name: "e2e-tasks", version: "1.0.0" },
      "io.modelcontextprotocol/clientCapabilities": this.declareTasks ? { extensions: { [TASKS]: {} } } : {},
    };
    const response = await fetch(this.url, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${this.token}`,
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
        "MCP-Protocol-Version": MODERN_REVISION,
        "Mcp-Method": method,
        "Mcp-Name": name,
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: this.nextId++, method, params: { ...params, _meta: meta } }),
    });
    const text = await response.text();
    // A streamed answer carries the response as the last `data:` line.
    const json = response.headers.get("content-type")?.includes("text/event-stream")
      ? (text.split("\n").filter((line) => line.startsWith("data:")).at(-1) ?? "").slice(5)
      : text;
    return JSON.parse(json) as RpcAnswer;
  }
}
