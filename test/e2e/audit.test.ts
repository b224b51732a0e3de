import type { AuditEntry, CommandDetail } from "@jetson/protocol";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestStack } from "../support/stack.js";

const DEVICE = "audited-orin";

let stack: TestStack;
let mcp: Client;

beforeAll(async () => {
  stack = await TestStack.start();
  mcp = await stack.mcp();
  await stack.addBridge(DEVICE, "agx-orin-jp6");
});

afterAll(async () => {
  await mcp?.close();
  await stack?.stop();
});

async function audit(): Promise<AuditEntry[]> {
  return (await stack.worker.api<{ entries: AuditEntry[] }>(`/api/audit?device=${DEVICE}`)).entries;
}

async function command(commandId: string): Promise<CommandDetail> {
  const result = (await mcp.callTool({ name: "get_command", arguments: { device: DEVICE, commandId } })) as CallToolResult;
  return result.structuredContent as CommandDetail;
}

describe("the audit trail, through the SDK's client against wrangler dev", () => {
  it("records a call the tool's input schema refuses", async () => {
    const result = (await mcp.callTool({ name: "power_set", arguments: { device: DEVICE, id: "; rm -rf /" } })) as CallToolResult;
    expect(result.isError).toBe(true);
    const [entry] = await audit();
    expect(entry).toMatchObject({ action: "power.set", outcome: "refused", args: { id: "; rm -rf /" } });
    expect(entry?.error).toMatch(/^invalid_input: /);
  });

  it("keeps the row of a caller who leaves mid-command, naming the command whose outcome the ledger keeps", async () => {
    const leave = new AbortController();
    const call = mcp.callTool({ name: "telemetry_watch", arguments: { device: DEVICE, seconds: 3 } }, undefined, {
      signal: leave.signal,
      // The first sample shows the command is running on the device: the caller leaves then.
      onprogress: () => leave.abort(),
    });
    await expect(call).rejects.toThrow();
    const [entry] = await audit();
    expect(entry).toMatchObject({ action: "telemetry.watch", commandId: expect.any(String) });
    const commandId = entry?.commandId ?? "";
    const deadline = Date.now() + 20_000;
    let detail = await command(commandId);
    while (!detail.endedAt && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      detail = await command(commandId);
    }
    expect(detail).toMatchObject({ action: "telemetry.watch", state: "succeeded" });
  }, 60_000);
});
