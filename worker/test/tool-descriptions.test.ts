import { catalogue } from "@jetson/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { createFleet } from "./device-client.js";
import { mcpRequest } from "./mcp-request.js";

let admin: string;

beforeAll(async () => {
  admin = await createFleet("tool-descriptions");
});

describe("an action's tool", () => {
  it("names the other actions its description mentions by their tools' names, which a client can call", async () => {
    const { tools } = (await mcpRequest(admin, "tools/list")).body.result as { tools: Array<{ name: string; description: string }> };
    const powerSet = tools.find((tool) => tool.name === "power_set");
    expect(powerSet?.description).toContain("power_reboot");
    const names: string[] = catalogue.map((action) => action.name);
    const actionTools = new Set(names.map((name) => name.replaceAll(".", "_")));
    for (const tool of tools.filter((t) => actionTools.has(t.name))) {
      const mentioned = names.filter((name) => new RegExp(`\\b${name.replaceAll(".", "\\.")}\\b`).test(tool.description));
      expect(mentioned, tool.name).toEqual([]);
    }
  });
});
