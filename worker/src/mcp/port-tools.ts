import { DevicePortSchema, OpenedPortSchema, OpenPortRequestSchema } from "@jetson/protocol";
import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Fleet } from "../fleet.js";
import { DevicePorts } from "../tunnel/port-operations.js";
import { guarded, toolData } from "./tool-result.js";

const DeviceArgument = z.string().describe("Device id, as list_devices shows it");

/** The port tunnel: a time-limited URL to a web port on a device (open and close need `operate`). */
export function registerPortTools(server: McpServer, fleet: Fleet): void {
  const ports = new DevicePorts(fleet);
  server.registerTool(
    "open_device_port",
    {
      title: "Open a device's web port",
      description:
        "Opens a URL that reaches 127.0.0.1:port on the device (HTTP and WebSocket) for a limited time, if the device's configuration allows the port. Anyone with the URL can use it until it expires or is closed; it is shown only now.",
      inputSchema: OpenPortRequestSchema.extend({ device: DeviceArgument }),
      outputSchema: OpenedPortSchema,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async ({ device, ...request }) => guarded(async () => toolData(await ports.open(device, request))),
  );
  server.registerTool(
    "close_device_port",
    {
      title: "Close a device's web port",
      description: "Closes a tunnel opened by open_device_port before it expires; requests through it end at once.",
      inputSchema: z.strictObject({ device: DeviceArgument, id: z.string().describe("The tunnel's id, as open_device_port or list_device_ports shows it") }),
      outputSchema: z.object({ closed: z.string() }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ device, id }) =>
      guarded(async () => {
        await ports.close(device, id);
        return toolData({ closed: id });
      }),
  );
  server.registerTool(
    "list_device_ports",
    {
      title: "List a device's open web ports",
      description: "The device's open port tunnels: id, port, who opened them, and when each expires (their URLs are not kept).",
      inputSchema: z.strictObject({ device: DeviceArgument }),
      outputSchema: z.object({ ports: z.array(DevicePortSchema) }),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ device }) => guarded(async () => toolData({ ports: await ports.list(device) })),
  );
}
