import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import type { LocalBridge } from "../../scripts/local-stack.js";
import { TestStack } from "../support/stack.js";

// A journal whose entries are large as JSON (long identifiers, control characters escaped six bytes
// each), read through MCP from a real bridge on a simulated board: its answer once made the bridge
// send a message larger than the Worker takes, again on every reconnect, the device offline meanwhile.

const DEVICE = "rt-journal-1";

let stack: TestStack;
let mcp: Client;
let bridge: LocalBridge;

beforeAll(async () => {
  stack = await TestStack.start();
  bridge = await stack.addBridge(DEVICE, "agx-orin-jp6");
  mcp = await stack.mcp();
});

afterAll(async () => {
  await mcp?.close();
  await stack?.stop();
});

function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return mcp.callTool({ name, arguments: { device: DEVICE, ...args } }) as Promise<CallToolResult>;
}

function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === "text" ? c.text : "")).join("");
}

describe("a journal larger as JSON than its messages", () => {
  it("is answered within maxBytes, the device stays online, and later commands run", async () => {
    onTestFailed(() => console.log(`bridge ${DEVICE}'s log:\n${bridge.running.output}`));
    const file = path.join(bridge.root, "var/lib/jetson-sim/admin.json");
    const admin = JSON.parse(await readFile(file, "utf8")) as { journal: Array<Record<string, unknown>> };
    const at = Date.now() - 1_000;
    admin.journal.push(...Array.from({ length: 400 }, (_, i) => ({ at: at + i, priority: 6, identifier: "A".repeat(3000), message: `${"\u0001".repeat(1000)}${i}` })));
    await writeFile(file, JSON.stringify(admin));

    const large = await call("logs_journal", { lines: 1000, maxBytes: 512 * 1024 });
    expect(large.isError, text(large)).toBeFalsy();
    const { entries, truncated } = large.structuredContent as { entries: Array<{ identifier?: string; message: string }>; truncated: boolean };
    expect(truncated).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(entries))).toBeLessThanOrEqual(512 * 1024);
    expect(entries.at(-1)?.message.endsWith("399")).toBe(true);

    const later = await call("logs_journal", { lines: 5 });
    expect(later.isError, text(later)).toBeFalsy();
    expect(await stack.worker.api<{ online: boolean }>(`/api/devices/${DEVICE}`)).toMatchObject({ online: true });
    // One connection all along.
    expect(bridge.running.output.match(/connected to /g)).toHaveLength(1);
    expect(bridge.running.output).not.toMatch(/link closed; reconnecting/);
  });
});
