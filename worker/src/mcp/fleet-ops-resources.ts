import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/server";
import type { ReadResourceResult } from "@modelcontextprotocol/server";
import type { Fleet } from "../fleet.js";
import { FleetOps } from "../fleet-ops/fleet-ops.js";
import { refusingAsInvalid } from "./resources.js";

const JSON_TYPE = "application/json";
const RECENT_RUNS = 50;

async function json(uri: URL, read: () => Promise<unknown>): Promise<ReadResourceResult> {
  return { contents: [{ uri: uri.href, mimeType: JSON_TYPE, text: JSON.stringify(await refusingAsInvalid(read)) }] };
}

const one = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? "") : (value ?? ""));

/** Fleet runs (each readable while it runs), the fleet's drift, and each device's desired state as MCP resources. */
export function registerFleetOpsResources(server: McpServer, fleet: Fleet): void {
  const ops = new FleetOps(fleet);

  server.registerResource(
    "runs",
    "jetson://runs",
    { title: "Fleet runs", description: `The latest ${RECENT_RUNS} fleet runs: action, selector, state and counts (as of their start or end; jetson://runs/<id> is live).`, mimeType: JSON_TYPE },
    async (uri) => json(uri, async () => ({ runs: await ops.runs(RECENT_RUNS) })),
  );

  server.registerResource(
    "run",
    new ResourceTemplate("jetson://runs/{run}", {
      list: async () => ({
        resources: (await ops.runs(RECENT_RUNS)).map((run) => ({ uri: `jetson://runs/${run.id}`, name: `${run.action} on ${run.selector}`, mimeType: JSON_TYPE })),
      }),
    }),
    { title: "Fleet run", description: "One fleet run as it stands: state, counts, and each device's state and result.", mimeType: JSON_TYPE },
    async (uri, { run }) => json(uri, () => ops.run(one(run))),
  );

  server.registerResource(
    "drift",
    "jetson://drift",
    {
      title: "Drift",
      description: "Every device whose desired state could not be fully applied: what was wanted, what the device has, and why.",
      mimeType: JSON_TYPE,
    },
    async (uri) => json(uri, async () => ({ devices: await ops.drift() })),
  );

  server.registerResource(
    "device-desired-state",
    new ResourceTemplate("jetson://devices/{device}/desired-state", { list: undefined }),
    { title: "Desired state", description: "One device's desired state, when it was last compared, and its drift.", mimeType: JSON_TYPE },
    async (uri, { device }) => json(uri, () => ops.desiredStatus(one(device))),
  );
}
