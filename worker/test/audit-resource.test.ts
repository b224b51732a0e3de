import { env, exports } from "cloudflare:workers";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFleet } from "./device-client.js";

interface AuditText {
  entries: Array<{ device: string; action: string; outcome: string }>;
  nextCursor?: string;
}

function rest(token: string, method: string, path: string, body?: unknown) {
  return exports.default.fetch(`${env.PUBLIC_URL}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

let client: Client;

async function read(uri: string): Promise<AuditText> {
  const { contents } = await client.readResource({ uri });
  const [content] = contents;
  if (!content || !("text" in content)) throw new Error(`no text in ${uri}`);
  return JSON.parse(content.text) as AuditText;
}

beforeAll(async () => {
  const admin = await createFleet("auditres");
  for (const id of ["cam-a", "cam-b"]) {
    expect((await rest(admin, "POST", "/api/devices", { id })).status).toBe(201);
    // Refused (no confirm) but audited: the trail has one entry per device without any bridge.
    expect((await rest(admin, "POST", `/api/devices/${id}/actions/power.reboot`, { args: {} })).status).toBe(403);
  }
  client = new Client({ name: "audit-resource-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${env.PUBLIC_URL}/mcp`), {
    fetch: (url, init) => exports.default.fetch(new Request(url, init)),
    requestInit: { headers: { Authorization: `Bearer ${admin}` } },
  });
  await client.connect(transport);
});

afterAll(async () => {
  await client?.close();
});

describe("the jetson://audit resource, through the MCP SDK's client", () => {
  it("is listed, and reads the fleet's latest entries", async () => {
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toContain("jetson://audit");
    const { entries } = await read("jetson://audit");
    expect(entries.map((e) => `${e.device} ${e.action} ${e.outcome}`).sort()).toEqual(["cam-a power.reboot refused", "cam-b power.reboot refused"]);
  });

  it("filters by any of device, caller, from, to and limit, in any order", async () => {
    expect((await read("jetson://audit?device=cam-b")).entries.map((e) => e.device)).toEqual(["cam-b"]);
    expect((await read(`jetson://audit?to=${Date.now()}&device=cam-a`)).entries.map((e) => e.device)).toEqual(["cam-a"]);
    expect((await read(`jetson://audit?from=${Date.now() + 60_000}`)).entries).toEqual([]);
    expect((await read("jetson://audit?limit=1")).entries).toHaveLength(1);
  });

  it("pages: the answer's nextCursor, read as ?cursor=, gives the next entries, and the last page has none", async () => {
    const first = await read("jetson://audit?limit=1&action=power.reboot&outcome=refused");
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await read(`jetson://audit?limit=1&action=power.reboot&outcome=refused&cursor=${first.nextCursor}`);
    expect(second.nextCursor).toBeUndefined();
    expect([...first.entries, ...second.entries].map((e) => e.device)).toEqual(["cam-b", "cam-a"]);
  });

  it("refuses a filter it cannot read with a clear error", async () => {
    await expect(client.readResource({ uri: "jetson://audit?from=yesterday" })).rejects.toThrow(/Invalid audit query.*from/s);
    await expect(client.readResource({ uri: "jetson://audit?cursor=yesterday" })).rejects.toThrow(/Invalid audit query.*cursor/s);
  });
});
