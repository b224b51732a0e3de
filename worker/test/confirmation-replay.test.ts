import { env, exports } from "cloudflare:workers";
import type { Client } from "@modelcontextprotocol/client";
import { beforeAll, describe, expect, it } from "vitest";
import { elicitingClient, fleetWithDevice } from "./eliciting-client.js";

// The user's yes runs its call once: a client that sends the accepted answer again (a retry
// after a lost response, or on purpose) gets a refusal, not a second kill.

const DEVICE = "replayed-1";
let token: string;

beforeAll(async () => {
  token = await fleetWithDevice("replays", DEVICE);
});

const client = () => elicitingClient(token, "replay-test");

const call = { name: "processes_kill", arguments: { device: DEVICE, pid: 2290 } };
const accepted = (requestState: string) => ({ ...call, inputResponses: { confirm: { action: "accept", content: { confirm: true } } }, requestState });

async function ask(mcp: Client): Promise<string> {
  const asked = (await mcp.callTool(call, { allowInputRequired: true })) as unknown as { resultType: string; requestState: string };
  expect(asked.resultType).toBe("input_required");
  return asked.requestState;
}

describe("an accepted confirmation", () => {
  it("runs its call once: the same answer sent again is refused, audited, and a new question can be answered", async () => {
    const mcp = await client();
    const state = await ask(mcp);
    // Taken: the call goes on to the device, which is offline here.
    expect(JSON.stringify(await mcp.callTool(accepted(state), { allowInputRequired: true }))).toMatch(/offline/);

    const again = JSON.stringify(await mcp.callTool(accepted(state), { allowInputRequired: true }));
    expect(again).toMatch(/used already/);
    expect(again).not.toMatch(/offline/);

    const audit = await exports.default.fetch(`${env.PUBLIC_URL}/api/audit?device=${DEVICE}`, { headers: { Authorization: `Bearer ${token}` } });
    const { entries } = (await audit.json()) as { entries: Array<{ outcome: string; error?: string }> };
    expect(entries.filter((entry) => entry.outcome === "refused" && /used already/.test(entry.error ?? ""))).toHaveLength(1);

    expect(JSON.stringify(await mcp.callTool(accepted(await ask(mcp)), { allowInputRequired: true }))).toMatch(/offline/);
    await mcp.close();
  });
});
