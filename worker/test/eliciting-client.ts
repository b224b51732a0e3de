import { env, exports } from "cloudflare:workers";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { createFleet } from "./device-client.js";

/**
 * An MCP 2026-07-28 client (SDK v2) that declares elicitation and answers nothing by itself: a test
 * reads each `input_required` result and sends the user's answer back with its request state.
 */
export async function elicitingClient(token: string, name: string): Promise<Client> {
  const mcp = new Client({ name, version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } }, capabilities: { elicitation: { form: {} } }, inputRequired: { autoFulfill: false } });
  await mcp.connect(
    new StreamableHTTPClientTransport(new URL(`${env.PUBLIC_URL}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
      fetch: (input, init) => exports.default.fetch(new Request(input, init)),
    }),
  );
  return mcp;
}

/** A fleet of its own with one device, never connected; its admin token. */
export async function fleetWithDevice(fleet: string, device: string): Promise<string> {
  const token = await createFleet(fleet);
  const response = await exports.default.fetch(`${env.PUBLIC_URL}/api/devices`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ id: device }),
  });
  if (response.status !== 201) throw new Error(`provisioning ${device}: ${response.status}`);
  return token;
}
