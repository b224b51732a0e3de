import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/server";
import { ProtocolError, ProtocolErrorCode, type ReadResourceResult } from "@modelcontextprotocol/server";
import { type Fleet, FleetError } from "../fleet.js";

const JSON_TYPE = "application/json";
/** "Recent telemetry": the last hour, one point a minute. */
const RECENT_MS = 3_600_000;

/** Runs a read, turning a fleet refusal (unknown device, scope) into an invalid-params error, as for an unknown URI. */
export async function refusingAsInvalid<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof FleetError) throw new ProtocolError(ProtocolErrorCode.InvalidParams, error.message);
    throw error;
  }
}

async function json(uri: URL, read: () => Promise<unknown>): Promise<ReadResourceResult> {
  const text = JSON.stringify(await refusingAsInvalid(read));
  return { contents: [{ uri: uri.href, mimeType: JSON_TYPE, text }] };
}

const one = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? "") : (value ?? ""));

/** The fleet's devices, each device's state, and each device's recent telemetry as MCP resources. */
export function registerResources(server: McpServer, fleet: Fleet): void {
  const completeDevice = async (prefix: string) => (await fleet.list()).map((d) => d.id).filter((id) => id.startsWith(prefix));

  server.registerResource(
    "devices",
    "jetson://devices",
    { title: "Devices", description: "Every device of the fleet with presence, state, active alerts and latest telemetry.", mimeType: JSON_TYPE },
    async (uri) => json(uri, async () => ({ devices: await fleet.list() })),
  );

  server.registerResource(
    "device",
    new ResourceTemplate("jetson://devices/{device}", {
      list: async () => ({
        resources: (await fleet.list()).map((d) => ({ uri: `jetson://devices/${d.id}`, name: d.id, mimeType: JSON_TYPE })),
      }),
      complete: { device: completeDevice },
    }),
    { title: "Device state", description: "One device: presence, reported state, active alerts, latest telemetry.", mimeType: JSON_TYPE },
    async (uri, { device }) => json(uri, () => fleet.get(one(device))),
  );

  server.registerResource(
    "device-telemetry",
    new ResourceTemplate("jetson://devices/{device}/telemetry", { list: undefined, complete: { device: completeDevice } }),
    {
      title: "Recent telemetry",
      description: "One device's last hour as 1-minute rollups (min/mean/max of each metric).",
      mimeType: JSON_TYPE,
    },
    async (uri, { device }) =>
      json(uri, () => {
        const now = Date.now();
        return fleet.telemetry(one(device), { from: now - RECENT_MS, to: now, resolution: "1m", maxPoints: 60 });
      }),
  );
}
