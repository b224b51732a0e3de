import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Client as ModernClient } from "@modelcontextprotocol/client";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalBridge } from "../../scripts/local-stack.js";
import { TestStack } from "../support/stack.js";

// Confirmations the model cannot forge: a 2026-07-28 client's user is asked through an
// elicitation form before a destructive action runs; a 2025-11-25 client's `confirm` flag
// counts only while the fleet allows it. Real Worker, real bridge, real clients.

const DEVICE = "confirm-1";
const GST = 2290;
const PYTHON = 2210;

type Answer = { action: "accept"; content: { confirm: boolean } } | { action: "decline" } | { action: "cancel" };

let stack: TestStack;
let bridge: LocalBridge;

beforeAll(async () => {
  stack = await TestStack.start();
  bridge = await stack.addBridge(DEVICE, "agx-orin-jp6");
});

afterAll(async () => {
  await stack?.stop();
});

const callLog = () => readFile(path.join(bridge.root, "var/log/sim-calls.log"), "utf8");
const text = (result: CallToolResult) => result.content.map((c) => (c.type === "text" ? c.text : "")).join("");
const commandCount = () => stack.worker.api<{ commands: unknown[] }>(`/api/devices/${DEVICE}/commands`).then((r) => r.commands.length);

/** A 2026-07-28 client whose user answers every confirmation form with `answer`; the forms' messages are kept. */
async function answering(answer: Answer, token?: string): Promise<{ client: ModernClient; asked: string[] }> {
  const client = await stack.mcpModern(token, { capabilities: { elicitation: { form: {} } } });
  const asked: string[] = [];
  client.setRequestHandler("elicitation/create", async (request) => {
    asked.push(request.params.message);
    return answer;
  });
  return { client, asked };
}

/** A 2026-07-28 client that hands `input_required` results back instead of answering them. */
async function manual(token?: string): Promise<ModernClient> {
  return stack.mcpModern(token, { capabilities: { elicitation: { form: {} } }, inputRequired: { autoFulfill: false } });
}

interface InputRequired {
  resultType: "input_required";
  requestState: string;
}

async function askedFor(client: ModernClient, name: string, args: Record<string, unknown>): Promise<InputRequired> {
  const result = (await client.callTool({ name, arguments: args }, { allowInputRequired: true })) as unknown as InputRequired;
  expect(result.resultType).toBe("input_required");
  return result;
}

/** The retry a client sends once its user accepted, with whatever request state it holds. */
function retry(client: ModernClient, name: string, args: Record<string, unknown>, requestState: string) {
  // The retry's params carry the answers and the state beside the call's own (2026-07-28 multi round-trip).
  const params = { name, arguments: args, inputResponses: { confirm: { action: "accept", content: { confirm: true } } }, requestState };
  return client.callTool(params, { allowInputRequired: true }) as Promise<CallToolResult>;
}

describe("on MCP 2026-07-28 the user confirms through the client", () => {
  it("offers no confirm argument to a client that can be asked, and keeps it for 2025-11-25 clients", async () => {
    const modern = await stack.mcpModern();
    const legacy = await stack.mcp();
    const fields = async (client: { listTools(): Promise<{ tools: Array<{ name: string; inputSchema: { properties?: object } }> }> }) =>
      Object.keys((await client.listTools()).tools.find((t) => t.name === "processes_kill")?.inputSchema.properties ?? {});
    expect(await fields(modern)).not.toContain("confirm");
    expect(await fields(legacy)).toContain("confirm");
    await Promise.all([modern.close(), legacy.close()]);
  });

  it("runs a destructive action once the user accepts a form that says exactly what will happen, and audits it as confirmed by a human", async () => {
    const { client, asked } = await answering({ action: "accept", content: { confirm: true } });
    const result = (await client.callTool({ name: "processes_kill", arguments: { device: DEVICE, pid: GST } })) as CallToolResult;
    expect(result.isError, text(result)).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ command: "gst-launch-1.0", exited: true });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain(DEVICE);
    expect(asked[0]).toContain("processes.kill");
    expect(asked[0]).toContain(`"pid":${GST}`);
    expect(asked[0]).toMatch(/cannot be undone/);
    const { entries } = await stack.worker.api<{ entries: Array<{ action: string; outcome: string; confirmedBy?: string }> }>(`/api/audit?device=${DEVICE}`);
    expect(entries.find((e) => e.action === "processes.kill" && e.outcome === "succeeded")?.confirmedBy).toBe("human");
    await client.close();
  });

  for (const [answer, reason] of [
    [{ action: "decline" }, /user declined/],
    [{ action: "cancel" }, /dismissed/],
    [{ action: "accept", content: { confirm: false } }, /user declined/],
  ] as const) {
    it(`does nothing when the user answers ${JSON.stringify(answer)}`, async () => {
      const [log, commands] = [await callLog(), await commandCount()];
      const { client, asked } = await answering(answer);
      const result = (await client.callTool({ name: "processes_kill", arguments: { device: DEVICE, pid: PYTHON } })) as CallToolResult;
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(reason);
      expect(asked).toHaveLength(1);
      expect(await callLog()).toBe(log);
      expect(await commandCount()).toBe(commands);
      await client.close();
    });
  }

  it("refuses a confirmation replayed for other arguments, or held by another caller", async () => {
    const [log, commands] = [await callLog(), await commandCount()];
    const client = await manual();
    const { requestState } = await askedFor(client, "processes_kill", { device: DEVICE, pid: PYTHON });

    const altered = await retry(client, "processes_kill", { device: DEVICE, pid: 1 }, requestState);
    expect(altered.isError).toBe(true);
    expect(text(altered)).toMatch(/answers another call/);

    const tampered = `${requestState.slice(0, -2)}${requestState.endsWith("A") ? "B" : "A"}${requestState.slice(-1)}`;
    await expect(retry(client, "processes_kill", { device: DEVICE, pid: PYTHON }, tampered)).rejects.toThrow(/requestState/i);

    const other = await stack.worker.api<{ token: string }>("/api/tokens", { method: "POST", body: JSON.stringify({ name: "other-assistant", scopes: ["read", "operate"] }) });
    const otherClient = await manual(other.token);
    await expect(retry(otherClient, "processes_kill", { device: DEVICE, pid: PYTHON }, requestState)).rejects.toThrow(/requestState/i);

    expect(await callLog()).toBe(log);
    expect(await commandCount()).toBe(commands);
    await Promise.all([client.close(), otherClient.close()]);
  });

  it("asks before any fleet run that changes devices, naming the devices", async () => {
    const { client, asked } = await answering({ action: "decline" });
    const result = (await client.callTool({ name: "start_fleet_run", arguments: { selector: `id:${DEVICE}`, action: "fan.set", args: { pwmPct: 60 } } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(asked[0]).toContain("fan.set");
    expect(asked[0]).toContain(DEVICE);
    const runs = await stack.worker.api<{ runs: unknown[] }>("/api/runs");
    expect(runs.runs).toHaveLength(0);
    await client.close();
  });

  it("runs a confirmed fleet run on exactly the devices the user was shown, and nothing when the selector chooses others by the time they answer", async () => {
    const setTags = (id: string, tags: string[]) => stack.worker.api(`/api/devices/${id}/tags`, { method: "PUT", body: JSON.stringify({ tags }) });
    await setTags(DEVICE, ["dock-3"]);
    const run = { selector: "tag:dock-3", action: "fan.set", args: { pwmPct: 55 } };
    const client = await manual();
    const asked = await askedFor(client, "start_fleet_run", run);

    // Between the question and the answer another device joins the selection.
    await stack.worker.provision("confirm-late");
    await setTags("confirm-late", ["dock-3"]);
    const refused = await retry(client, "start_fleet_run", run, asked.requestState);
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/devices this call reaches changed after the user was asked/);
    expect((await stack.worker.api<{ runs: unknown[] }>("/api/runs")).runs).toHaveLength(0);

    // The same answer holds again once the selection is what the user saw.
    await setTags("confirm-late", []);
    const ran = await retry(client, "start_fleet_run", run, asked.requestState);
    expect(ran.isError, text(ran)).toBeFalsy();
    expect(ran.structuredContent).toMatchObject({ state: "succeeded", devices: [expect.objectContaining({ device: DEVICE, state: "succeeded" })] });
    await client.close();
  });
});

describe("on MCP 2025-11-25 the fleet decides whether the model's flag counts", () => {
  it("accepts confirm: true by default and audits it as the flag, and refuses it once the fleet is human-only", async () => {
    const legacy = await stack.mcp();
    expect((await stack.worker.api<{ confirmations: string }>("/api/settings")).confirmations).toBe("flag-allowed");
    const kill = (pid: number) => legacy.callTool({ name: "processes_kill", arguments: { device: DEVICE, pid, confirm: true } }) as Promise<CallToolResult>;

    const ran = await kill(PYTHON);
    expect(ran.isError, text(ran)).toBeFalsy();
    const { entries } = await stack.worker.api<{ entries: Array<{ action: string; outcome: string; confirmedBy?: string }> }>(`/api/audit?device=${DEVICE}`);
    expect(entries.find((e) => e.action === "processes.kill" && e.outcome === "succeeded")?.confirmedBy).toBe("flag");

    await stack.worker.api("/api/settings", { method: "PATCH", body: JSON.stringify({ confirmations: "human-only" }) });
    const log = await callLog();
    const refused = await kill(3120);
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/only from the user.*2025-11-25.*2026-07-28/s);
    expect(await callLog()).toBe(log);
    await stack.worker.api("/api/settings", { method: "PATCH", body: JSON.stringify({ confirmations: "flag-allowed" }) });
    await legacy.close();
  });
});
