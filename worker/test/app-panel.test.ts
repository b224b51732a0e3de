import { beforeAll, describe, expect, it } from "vitest";
import { PANEL_MIME_TYPE, PANEL_URI } from "../src/mcp/app-panel.js";
import { createFleet } from "./device-client.js";
import { mcpRequest } from "./mcp-request.js";

const PANEL_TOOLS = ["get_device", "list_devices", "telemetry_now"];

let admin: string;

beforeAll(async () => {
  admin = await createFleet("panel");
});

describe("the in-chat panel (MCP Apps) on /mcp", () => {
  it("is pointed to by list_devices, get_device and telemetry_now, in the spec's key and its older flat one, and by no other tool", async () => {
    const { tools } = (await mcpRequest(admin, "tools/list")).body.result as { tools: Array<{ name: string; _meta?: Record<string, unknown> }> };
    const pointing = tools.filter((tool) => tool._meta?.ui !== undefined).map((tool) => tool.name).sort();
    expect(pointing).toEqual(PANEL_TOOLS);
    for (const name of PANEL_TOOLS) {
      expect(tools.find((tool) => tool.name === name)?._meta, name).toEqual({ ui: { resourceUri: PANEL_URI }, "ui/resourceUri": PANEL_URI });
    }
  });

  it("lists the panel as an MCP Apps HTML resource that asks the host for a border", async () => {
    const { resources } = (await mcpRequest(admin, "resources/list")).body.result as { resources: Array<{ uri: string; mimeType?: string; _meta?: unknown }> };
    expect(resources.find((resource) => resource.uri === PANEL_URI)).toMatchObject({ mimeType: PANEL_MIME_TYPE, _meta: { ui: { prefersBorder: true } } });
    expect(PANEL_MIME_TYPE).toBe("text/html;profile=mcp-app");
  });
});
