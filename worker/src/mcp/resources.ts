import { DEVICE_PAGE_LIMIT, DeviceListQuerySchema, type DevicePage } from "@jetson/protocol";
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/server";
import { ProtocolError, ProtocolErrorCode, type ReadResourceResult } from "@modelcontextprotocol/server";
import { type Fleet, FleetError } from "../fleet.js";
import type { Completions } from "./completions.js";

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

/**
 * The resource is one fixed URI (listeners subscribe to it), so it holds the first page; resources/list's own
 * cursor pages the list of resources, not a resource's contents. The rest is a list_devices call away.
 */
function devicesResource(page: DevicePage) {
  if (page.nextCursor === undefined) return page;
  const more = `This is the first page of ${page.total} devices; call the list_devices tool with cursor "${page.nextCursor}" for the next one (filters: status, alerts, selector, text).`;
  return { ...page, more };
}

const one = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? "") : (value ?? ""));

/** The fleet's devices, each device's state, alerts and recent telemetry as MCP resources. */
export function registerResources(server: McpServer, fleet: Fleet, complete: Completions): void {
  const completeDevice = complete.devices;

  server.registerResource(
    "devices",
    "jetson://devices",
    {
      title: "Devices",
      description: `The fleet's first ${DEVICE_PAGE_LIMIT.default} devices by id with presence, state, active alerts and latest telemetry, the fleet's size, and how to read further.`,
      mimeType: JSON_TYPE,
    },
    async (uri) => json(uri, async () => devicesResource(await fleet.list(DeviceListQuerySchema.parse({})))),
  );

  server.registerResource(
    "device",
    new ResourceTemplate("jetson://devices/{device}", {
      list: async () => ({
        // Ids only, from the registry's index: the SDK lists every template's resources in one answer.
        resources: (await fleet.deviceIds("", Number.MAX_SAFE_INTEGER)).map((id) => ({ uri: `jetson://devices/${id}`, name: id, mimeType: JSON_TYPE })),
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

  server.registerResource(
    "device-alerts",
    new ResourceTemplate("jetson://devices/{device}/alerts", { list: undefined, complete: { device: completeDevice } }),
    {
      title: "Alerts",
      description: "One device's active alerts, those cleared in the last 24 hours, and the thresholds that raise them.",
      mimeType: JSON_TYPE,
    },
    async (uri, { device }) => json(uri, () => fleet.alerts(one(device))),
  );
}
