import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { latencies, timeSequential } from "./stats.js";

/** An MCP tool call through Worker, Durable Object and bridge, and back. */
export async function benchMcpRoundTrip(mcp: Client, device: string, calls: number) {
  const times = await timeSequential(calls, 20, async () => {
    const result = await mcp.callTool({ name: "system_ping", arguments: { device } });
    if (result.isError) throw new Error(`system_ping failed: ${JSON.stringify(result.content)}`);
  });
  return latencies(times);
}
