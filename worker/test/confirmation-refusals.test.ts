import { env, exports } from "cloudflare:workers";
import type { AuditEntry } from "@jetson/protocol";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { Client as LegacyClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as LegacyTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { beforeAll, describe, expect, it } from "vitest";
import { createFleet } from "./device-client.js";
import { elicitingClient } from "./eliciting-client.js";
import { rest } from "./rest-call.js";

// A call refused at the confirmation step ran nothing, and the audit trail says so: a refused row
// on every device it would have reached, with why. The devices need not be online to be refused.

const FLEET = "confirm-refusals";
let admin: string;

const viaWorker = (input: string | URL | Request, init?: RequestInit) => exports.default.fetch(new Request(input, init));
const transportOptions = () => ({ requestInit: { headers: { Authorization: `Bearer ${admin}` } }, fetch: viaWorker });

beforeAll(async () => {
  admin = await createFleet(FLEET);
  for (const id of ["refused-legacy", "refused-run-1", "refused-run-2", "refused-modern", "form-1"]) {
    expect((await rest(admin, "POST", "/api/devices", { id })).status).toBe(201);
  }
  expect((await rest(admin, "PUT", "/api/devices/refused-run-1/tags", { tags: ["dock"] })).status).toBe(200);
  expect((await rest(admin, "PUT", "/api/devices/refused-run-2/tags", { tags: ["dock"] })).status).toBe(200);
  expect((await rest(admin, "PUT", "/api/devices/form-1/tags", { tags: ["form"] })).status).toBe(200);
});

async function auditOf(device: string): Promise<AuditEntry[]> {
  return (await rest<{ entries: AuditEntry[] }>(admin, "GET", `/api/audit?device=${device}`)).body.entries;
}

const text = (result: unknown) => (result as { content: Array<{ text: string }> }).content.map((c) => c.text).join("");

/** A 2026-07-28 client whose user answers every confirmation form with `answer`. */
async function answering(answer: { action: "decline" } | { action: "cancel" }): Promise<Client> {
  const client = new Client({ name: "refusals-test", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } }, capabilities: { elicitation: { form: {} } } });
  client.setRequestHandler("elicitation/create", async () => answer);
  await client.connect(new StreamableHTTPClientTransport(new URL(`${env.PUBLIC_URL}/mcp`), transportOptions()));
  return client;
}

describe("the confirmation form", () => {
  it("says a destructive run cannot be undone, and does not say so of a change that can be (a fan speed, a power mode)", async () => {
    const asked: string[] = [];
    const client = new Client({ name: "form-test", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } }, capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler("elicitation/create", async (request) => {
      asked.push(request.params.message);
      return { action: "decline" };
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${env.PUBLIC_URL}/mcp`), transportOptions()));
    await client.callTool({ name: "start_fleet_run", arguments: { selector: "tag:form", action: "fan.set", args: { pwmPct: 60 }, waitSeconds: 0 } });
    await client.callTool({ name: "start_fleet_run", arguments: { selector: "tag:form", action: "processes.kill", args: { pid: 2290 }, waitSeconds: 0 } });
    expect(asked).toEqual([
      'Run "Set fan speed or profile" (fan.set) on the device form-1, with arguments {"pwmPct":60}? It changes every device the selector "tag:form" chooses.',
      'Run "Stop a process" (processes.kill) on the device form-1, with arguments {"pid":2290}? processes.kill is destructive. What it changes on a device cannot be undone from here.',
    ]);
    await client.close();
  });
});

describe("a refusal at the confirmation step", () => {
  it("is audited when a human-only fleet refuses a 2025-11-25 client's confirm, on the device or on every device of a run", async () => {
    expect((await rest(admin, "PATCH", "/api/settings", { confirmations: "human-only" })).status).toBe(200);
    const legacy = new LegacyClient({ name: "refusals-test-2025", version: "1.0.0" });
    await legacy.connect(new LegacyTransport(new URL(`${env.PUBLIC_URL}/mcp`), transportOptions()));

    const kill = await legacy.callTool({ name: "processes_kill", arguments: { device: "refused-legacy", pid: 2290, confirm: true } });
    expect(kill.isError).toBe(true);
    expect(await auditOf("refused-legacy")).toMatchObject([
      { action: "processes.kill", args: { pid: 2290 }, outcome: "refused", error: expect.stringMatching(/^permission_denied: Nothing ran: this fleet accepts the confirmation of a destructive action only from the user/) },
    ]);

    const run = await legacy.callTool({ name: "start_fleet_run", arguments: { selector: "tag:dock", action: "processes.kill", args: { pid: 2290 }, confirm: true, waitSeconds: 0 } });
    expect(text(run)).toMatch(/only from the user/);
    for (const device of ["refused-run-1", "refused-run-2"]) {
      expect(await auditOf(device)).toMatchObject([{ action: "processes.kill", outcome: "refused", error: expect.stringMatching(/only from the user/) }]);
    }
    expect((await rest(admin, "PATCH", "/api/settings", { confirmations: "flag-allowed" })).status).toBe(200);
    await legacy.close();
  });

  it("is audited when the user declines or dismisses the form, and when the answer is for another call", async () => {
    const call = { name: "processes_kill", arguments: { device: "refused-modern", pid: 2210 } };
    for (const [answer, reason] of [
      [{ action: "decline" }, "permission_denied: Nothing ran: the user declined."],
      [{ action: "cancel" }, "permission_denied: Nothing ran: the user dismissed the confirmation."],
    ] as const) {
      const client = await answering(answer);
      expect((await client.callTool(call)).isError).toBe(true);
      expect((await auditOf("refused-modern"))[0]).toMatchObject({ action: "processes.kill", args: { pid: 2210 }, outcome: "refused", error: reason });
      await client.close();
    }

    const manual = await elicitingClient(admin, "refusals-test");
    const asked = (await manual.callTool(call, { allowInputRequired: true })) as unknown as { requestState: string };
    const other = { name: "processes_kill", arguments: { device: "refused-modern", pid: 1 }, inputResponses: { confirm: { action: "accept", content: { confirm: true } } }, requestState: asked.requestState };
    expect(text(await manual.callTool(other, { allowInputRequired: true }))).toMatch(/answers another call/);
    expect((await auditOf("refused-modern"))[0]).toMatchObject({ action: "processes.kill", args: { pid: 1 }, outcome: "refused", error: expect.stringMatching(/^permission_denied: Nothing ran: the confirmation answers another call/) });
    expect(await auditOf("refused-modern")).toHaveLength(3);
    await manual.close();
  });
});
