import { DeviceListQuerySchema, DevicePageSchema, DeviceSummarySchema } from "@jetson/protocol";
import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Fleet } from "../fleet.js";
import { PANEL_TOOL_META } from "./app-panel.js";
import { guarded, toolData } from "./tool-result.js";

export function registerFleetTools(server: McpServer, fleet: Fleet): void {
  server.registerTool(
    "list_devices",
    {
      title: "List devices",
      description:
        "The fleet's Jetsons with their presence (online, connected since, last seen) and reported state, a page at a time in id order: " +
        "total counts every device the filters keep; while nextCursor is present, call again with it (and the same filters) for the next page.",
      inputSchema: DeviceListQuerySchema,
      outputSchema: DevicePageSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      _meta: PANEL_TOOL_META,
    },
    async (query) => guarded(async () => toolData(await fleet.list(query))),
  );

  server.registerTool(
    "get_device",
    {
      title: "Get a device",
      description: "One device's presence and reported state (board, L4T and JetPack versions, bridge version, capabilities).",
      inputSchema: z.strictObject({ device: z.string().describe("Device id, as list_devices shows it") }),
      outputSchema: DeviceSummarySchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      _meta: PANEL_TOOL_META,
    },
    async ({ device }) => guarded(async () => toolData(await fleet.get(device))),
  );
}
