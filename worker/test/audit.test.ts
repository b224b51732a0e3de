import { exports } from "cloudflare:workers";
import type { AuditEntry, CommandDetail } from "@jetson/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { rest } from "./rest-call.js";
import { createFleet, DeviceClient, json, OPERATOR } from "./device-client.js";
import { mcpRequest } from "./mcp-request.js";

const FLEET = "audited";

async function token(scopes: string[]): Promise<string> {
  const created = await rest<{ token: string }>(admin, "POST", "/api/tokens", { name: scopes.join("+"), scopes });
  expect(created.status).toBe(201);
  return created.body.token;
}

/** Provisions a device; `connect` opens its link as a bridge would. */
async function device(id: string): Promise<{ connect(): Promise<DeviceClient> }> {
  const provisioned = await rest<{ token: string }>(admin, "POST", "/api/devices", { id });
  expect(provisioned.status).toBe(201);
  return {
    async connect() {
      const client = await DeviceClient.open(`/tunnel/${FLEET}/${id}`);
      expect(await client.connect(id, provisioned.body.token)).toMatchObject({ reasonCode: 0 });
      await client.subscribeCommands(id);
      return client;
    },
  };
}

async function audit(deviceId: string): Promise<AuditEntry[]> {
  return (await rest<{ entries: AuditEntry[] }>(admin, "GET", `/api/audit?device=${deviceId}`)).body.entries;
}

let admin: string;

beforeAll(async () => {
  admin = await createFleet(FLEET);
});

describe("the command ledger's arguments", () => {
  it("read back redacted like the audit trail's, on every path, while the device receives them whole", async () => {
    const board = await device("ledger-secrets");
    const args = { image: "postgres:16", env: { POSTGRES_PASSWORD: "hunter2", DATABASE_URL: "postgres://app:s3cret@db/app" } };
    const queued = await mcpRequest(admin, "tools/call", {
      name: "queue_command",
      arguments: { device: "ledger-secrets", action: "containers.run", args, expiresInMs: 60_000 },
    });
    const commandId = (queued.body.result?.structuredContent as { queued: { commandId: string } }).queued.commandId;

    const reader = await token(["read"]);
    const viaRest = await rest<CommandDetail>(reader, "GET", `/api/devices/ledger-secrets/commands/${commandId}`);
    const viaMcp = await mcpRequest(reader, "tools/call", { name: "get_command", arguments: { device: "ledger-secrets", commandId } });
    const [entry] = await audit("ledger-secrets");
    expect(viaRest.status).toBe(200);
    // The ledger keeps the arguments as the action parsed them (defaults filled in); the audit trail as the caller sent them.
    expect(viaRest.body.args).toMatchObject(entry?.args ?? {});
    expect(viaMcp.body.result?.structuredContent).toMatchObject({ args: entry?.args });
    expect(entry?.args).toEqual({ image: "postgres:16", env: { POSTGRES_PASSWORD: "[redacted]", DATABASE_URL: "[redacted]" } });
    for (const body of [viaRest.body, viaMcp.body, entry]) {
      expect(JSON.stringify(body)).not.toMatch(/hunter2|s3cret/);
    }

    const client = await board.connect();
    const delivered = json(await client.next("publish"));
    expect(delivered).toMatchObject({ id: commandId, args: { env: args.env } });
    client.ws.close();
  });
});

describe("a fleet run's arguments", () => {
  it("read back redacted like the audit trail's", async () => {
    await device("run-secrets");
    const args = { image: "postgres:16", env: { POSTGRES_PASSWORD: "hunter2" } };
    const started = await rest<{ id: string }>(admin, "POST", "/api/runs", { selector: "id:run-secrets", action: "containers.run", args });
    expect(started.status).toBe(201);
    const reader = await token(["read"]);
    const run = await rest<{ args: Record<string, unknown> }>(reader, "GET", `/api/runs/${started.body.id}`);
    expect(run.body.args).toEqual({ image: "postgres:16", env: { POSTGRES_PASSWORD: "[redacted]" } });
  });
});

describe("every attempt is audited", () => {
  it("records a call the MCP input schema refuses", async () => {
    await device("schema-refusal");
    const refused = await mcpRequest(admin, "tools/call", { name: "power_set", arguments: { device: "schema-refusal", id: "max", password: "pw" } });
    expect(refused.body.result?.isError).toBe(true);
    const [entry] = await audit("schema-refusal");
    expect(entry).toMatchObject({ action: "power.set", outcome: "refused", args: { id: "max", password: "[redacted]" } });
    expect(entry?.error).toMatch(/^invalid_input: /);
  });

  it("writes the row before the command reaches the device, and completes it with the outcome", async () => {
    const client = await (await device("audit-first")).connect();
    const call = rest<{ ok: boolean }>(admin, "POST", "/api/devices/audit-first/actions/system.ping", {});
    const command = json(await client.next("publish"));
    const [pending] = await audit("audit-first");
    expect(pending).toMatchObject({ action: "system.ping", outcome: "pending", commandId: command.id });

    client.publishJson("jetson/audit-first/result", { id: command.id, ok: true, data: { pong: true, at: 1, bridgeVersion: "t" }, startedAt: 1, endedAt: 2 });
    expect((await call).status).toBe(200);
    const after = await audit("audit-first");
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: pending?.id, outcome: "succeeded", commandId: command.id });
    client.ws.close();
  });
});

describe("scope checks come before any write", () => {
  it("refuses an operate-only token a device's desired state without changing it", async () => {
    await device("desired-scopes");
    const operator = await token(["operate"]);
    const refused = await rest<{ error: string }>(operator, "PUT", "/api/devices/desired-scopes/desired-state", { powerModeId: 0 });
    expect(refused.status).toBe(403);
    const rules = await rest<{ rules: unknown[] }>(admin, "GET", "/api/desired-state");
    expect(rules.body.rules).toEqual([]);
  });
});

describe("creating fleets", () => {
  it("refuses to create a fleet that exists, minting nothing", async () => {
    const before = (await rest<{ tokens: unknown[] }>(admin, "GET", "/api/tokens")).body.tokens;
    const again = await exports.default.fetch("http://w/admin/fleets", {
      method: "POST",
      headers: { ...OPERATOR, "Content-Type": "application/json" },
      body: JSON.stringify({ id: FLEET }),
    });
    expect(again.status).toBe(409);
    expect(JSON.stringify(await again.json())).not.toMatch(/jft_/);
    expect((await rest<{ tokens: unknown[] }>(admin, "GET", "/api/tokens")).body.tokens).toEqual(before);
  });
});
