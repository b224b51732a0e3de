import { latencies, timeSequential } from "./stats.js";

/** What both SDKs' clients offer: SDK v1's speaks 2025-11-25, SDK v2's 2026-07-28. */
interface ToolCaller {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<Record<string, unknown>>;
}

/** An MCP tool call through Worker, Durable Object and bridge, and back. */
export async function benchMcpRoundTrip(mcp: ToolCaller, device: string, calls: number) {
  const times = await timeSequential(calls, 20, async () => {
    const result = await mcp.callTool({ name: "system_ping", arguments: { device } });
    if (result.isError) throw new Error(`system_ping failed: ${JSON.stringify(result.content)}`);
  });
  return latencies(times);
}
