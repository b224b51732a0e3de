import type { Client as ModernClient } from "@modelcontextprotocol/client";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestStack } from "../support/stack.js";

// One definition, two revisions: a 2025-11-25 client (SDK v1) and a 2026-07-28 client (SDK v2)
// see the same tools, resources and prompts, and get the same answers from a real bridge.

const DEVICE = "rev-1";
/** Read-only tools that take long on purpose (they sample for a while): not worth a second each here. */
const SLOW = new Set(["telemetry_watch", "ai_benchmark", "network_ping"]);

let stack: TestStack;
let legacy: Client;
let modern: ModernClient;

beforeAll(async () => {
  stack = await TestStack.start();
  await stack.addBridge(DEVICE, "agx-orin-jp6");
  [legacy, modern] = await Promise.all([stack.mcp(), stack.mcpModern()]);
});

afterAll(async () => {
  await Promise.all([legacy?.close(), modern?.close()]);
  await stack?.stop();
});

interface ToolShape {
  name: string;
  inputSchema: { properties?: Record<string, unknown>; required?: string[] };
  outputSchema?: unknown;
  annotations?: { readOnlyHint?: boolean };
}

/** A tool as a client can compare it across revisions: `confirm` exists only where the client cannot be asked. */
function comparable(tool: ToolShape) {
  const { confirm: _confirm, ...properties } = tool.inputSchema.properties ?? {};
  return { name: tool.name, properties, required: (tool.inputSchema.required ?? []).filter((r) => r !== "confirm"), outputSchema: tool.outputSchema, annotations: tool.annotations };
}

/** Answers stripped of what legitimately differs between two calls a moment apart. */
const shape = (result: Record<string, unknown>) => ({
  isError: result.isError === true,
  keys: Object.keys(typeof result.structuredContent === "object" && result.structuredContent !== null ? result.structuredContent : {}).sort(),
});

describe("both revisions on one URL", () => {
  it("list the same tools with the same schemas and hints", async () => {
    const [a, b] = await Promise.all([legacy.listTools(), modern.listTools()]);
    expect(b.tools.map((t) => comparable(t as ToolShape))).toEqual(a.tools.map((t) => comparable(t as ToolShape)));
    expect(a.tools.length).toBeGreaterThan(60);
  });

  it("answer every read-only tool alike, from the same device", async () => {
    const { tools } = await legacy.listTools();
    const readOnly = (tools as ToolShape[]).filter((t) => t.annotations?.readOnlyHint && !SLOW.has(t.name));
    let called = 0;
    for (const tool of readOnly) {
      const required = (tool.inputSchema.required ?? []).filter((r) => r !== "device");
      if (required.length > 0) continue;
      const args = tool.inputSchema.properties?.device ? { device: DEVICE } : {};
      const [a, b] = await Promise.all([legacy.callTool({ name: tool.name, arguments: args }), modern.callTool({ name: tool.name, arguments: args })]);
      expect(shape(b), tool.name).toEqual(shape(a));
      called++;
    }
    expect(called).toBeGreaterThan(20);
  });

  it("list and read the same resources and templates", async () => {
    const [a, b] = await Promise.all([legacy.listResources(), modern.listResources()]);
    expect(b.resources.map((r) => r.uri).sort()).toEqual(a.resources.map((r) => r.uri).sort());
    const [ta, tb] = await Promise.all([legacy.listResourceTemplates(), modern.listResourceTemplates()]);
    expect(tb.resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(ta.resourceTemplates.map((t) => t.uriTemplate).sort());
    const uris = [
      ...a.resources.map((r) => r.uri),
      ...ta.resourceTemplates.filter((t) => !t.uriTemplate.includes("{run}") && !t.uriTemplate.includes("{+")).map((t) => t.uriTemplate.replace("{device}", DEVICE)),
    ];
    for (const uri of uris) {
      const [ra, rb] = await Promise.all([legacy.readResource({ uri }), modern.readResource({ uri })]);
      expect(rb.contents.map((c) => [c.uri, c.mimeType]), uri).toEqual(ra.contents.map((c) => [c.uri, c.mimeType]));
    }
  });

  it("list and fill the same prompts", async () => {
    const [a, b] = await Promise.all([legacy.listPrompts(), modern.listPrompts()]);
    expect(b.prompts).toEqual(a.prompts);
    const values: Record<string, string> = { device: DEVICE, mode: "0", unit: "nvargus-daemon.service", container: "detector", model: "detector.onnx", selector: `id:${DEVICE}`, action: "system.ping", run: "run_x" };
    for (const prompt of a.prompts) {
      const args = Object.fromEntries((prompt.arguments ?? []).map((arg) => [arg.name, values[arg.name] ?? "x"]));
      const [pa, pb] = await Promise.all([legacy.getPrompt({ name: prompt.name, arguments: args }), modern.getPrompt({ name: prompt.name, arguments: args })]);
      expect(pb.messages.length, prompt.name).toBe(pa.messages.length);
      expect(pb.messages[0]?.content, prompt.name).toEqual(pa.messages[0]?.content);
    }
  });
});
