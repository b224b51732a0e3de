import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, DeviceClient, provision, signIn } from "./device-client.js";
import { mcpRequest } from "./mcp-request.js";

/** `{"a":{"a":…}}` nested `depth` levels: deep enough (6,000) to overflow a recursive walk. */
const deeplyNested = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

const adminToken = () => ADMIN.Authorization?.slice("Bearer ".length) ?? "";

function postMcp(body: string) {
  return exports.default.fetch(`${env.PUBLIC_URL}/mcp`, {
    method: "POST",
    headers: {
      ...ADMIN,
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      "MCP-Protocol-Version": "2025-06-18",
    },
    body,
  });
}

beforeAll(signIn);

describe("what a caller sends cannot flood or crash the Worker", () => {
  it("refuses a JSON-RPC batch on /mcp, so one request is one message against the rate limit", async () => {
    const calls = Array.from({ length: 100 }, (_, id) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "list_devices", arguments: {} } }));
    const response = await postMcp(JSON.stringify(calls));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600, message: expect.stringMatching(/Batches are not supported/) } });
    // One message per request still works.
    const single = await mcpRequest(adminToken(), "tools/call", { name: "list_devices", arguments: {} });
    expect(single.response.status).toBe(200);
    expect(single.body.result?.isError).toBeFalsy();
  });

  it("refuses arguments nested 6,000 levels deep with a clear 400 on /api and /mcp", async () => {
    await provision("dev-deep");
    const rest = await exports.default.fetch("http://w/api/devices/dev-deep/actions/system.ping", {
      method: "POST",
      headers: { ...ADMIN, "Content-Type": "application/json" },
      body: `{"args":${deeplyNested(6_000)},"timeoutMs":1000}`,
    });
    expect(rest.status).toBe(400);
    expect(await rest.json()).toEqual({ error: "JSON nested deeper than 64 levels" });
    const call = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"system_ping","arguments":{"device":"dev-deep","x":${deeplyNested(6_000)}}}}`;
    const mcp = await postMcp(call);
    expect(mcp.status).toBe(400);
    expect(await mcp.json()).toMatchObject({ error: { code: -32600, message: "JSON nested deeper than 64 levels." } });
  });
});
