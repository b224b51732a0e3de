import { beforeAll, describe, expect, it } from "vitest";
import { CONFIRMATION_TTL_SECONDS } from "../src/mcp/confirmation.js";
import { elicitingClient, fleetWithDevice } from "./eliciting-client.js";

// A confirmation's request state expires: the same accepted answer that passes within the
// time limit is refused after it. The Worker runs in this isolate, so its clock is ours to move.

const DEVICE = "expiring-1";
let token: string;

beforeAll(async () => {
  token = await fleetWithDevice("confirmations", DEVICE);
});

const client = () => elicitingClient(token, "expiry-test");

const call = { name: "processes_kill", arguments: { device: DEVICE, pid: 2290 } };
const accepted = (requestState: string) => ({ ...call, inputResponses: { confirm: { action: "accept", content: { confirm: true } } }, requestState });

async function withClockAhead<T>(seconds: number, body: () => Promise<T>): Promise<T> {
  const realNow = Date.now;
  Date.now = () => realNow() + seconds * 1000;
  try {
    return await body();
  } finally {
    Date.now = realNow;
  }
}

describe("a confirmation's request state", () => {
  it(`passes within ${CONFIRMATION_TTL_SECONDS} s and is refused after`, async () => {
    const mcp = await client();
    const asked = (await mcp.callTool(call, { allowInputRequired: true })) as unknown as { resultType: string; requestState: string };
    expect(asked.resultType).toBe("input_required");

    // Within the limit the answer is taken: the call goes on to the device, which is offline here.
    const inTime = await mcp.callTool(accepted(asked.requestState), { allowInputRequired: true });
    expect(JSON.stringify(inTime)).toMatch(/offline/);

    await expect(withClockAhead(CONFIRMATION_TTL_SECONDS + 5, () => mcp.callTool(accepted(asked.requestState), { allowInputRequired: true }))).rejects.toThrow(/requestState/i);
    await mcp.close();
  });
});
