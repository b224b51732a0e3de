import { SelectorSchema } from "@jetson/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { createFleet } from "./device-client.js";
import { mcpRequest } from "./mcp-request.js";
import { rest } from "./rest-call.js";

const LONG_ID = `cmp-${"long".repeat(10)}`;
let token: string;

beforeAll(async () => {
  token = await createFleet("completions");
  for (const id of ["cmp-a", "cmp-b", LONG_ID]) expect((await rest(token, "POST", "/api/devices", { id })).status).toBe(201);
});

/** The values completion/complete answers for plan_fleet_change's selector, and the size of the answer. */
async function completeSelector(value: string): Promise<{ values: string[]; bytes: number }> {
  const { response, body } = await mcpRequest(token, "completion/complete", { ref: { type: "ref/prompt", name: "plan_fleet_change" }, argument: { name: "selector", value } });
  expect(response.status).toBe(200);
  const completion = body.result?.completion as { values: string[] };
  return { values: completion.values, bytes: JSON.stringify(body).length };
}

describe("completing a selector", () => {
  it("completes the last term of what was typed", async () => {
    expect((await completeSelector("online:true id:cmp-")).values).toEqual(["online:true id:cmp-a", "online:true id:cmp-b", `online:true id:${LONG_ID}`]);
  });

  it("completes nothing to more than a selector may hold, and nothing past it, echoing none of it", async () => {
    const max = SelectorSchema.maxLength ?? 0;
    const typed = `${"online:true ".repeat(40)}id:`;
    expect(typed.length + "cmp-a".length).toBeLessThanOrEqual(max);
    expect(typed.length + LONG_ID.length).toBeGreaterThan(max);
    expect((await completeSelector(typed)).values).toEqual([`${typed}cmp-a`, `${typed}cmp-b`]);

    const flood = await completeSelector(`${"online:true ".repeat(20_000)}id:`);
    expect(flood.values).toEqual([]);
    expect(flood.bytes).toBeLessThan(1_000);
  });
});
