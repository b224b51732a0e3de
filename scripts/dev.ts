import { randomBytes } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { LocalBridge, LocalWorker, REPO, tempDir } from "./local-stack.js";
import { isSimBoardId, SCENARIOS, type ScenarioId } from "../device-bridge/sim/index.js";
import { LINK_FLAPS, LOCAL_FLEET, localFleetBridge } from "./local-fleet.js";

/** BOARDS=agx-thor-jp7,nano-jp46 starts only those; every board by default. */
const FLEET = chooseBoards(process.env.BOARDS);

const { values: flags } = parseArgs({ options: { "no-scenarios": { type: "boolean", default: false } } });
const scenarios = !flags["no-scenarios"];
const scenarioSpeed = Number(process.env.SCENARIO_SPEED ?? 1);

function chooseBoards(list: string | undefined): typeof LOCAL_FLEET {
  if (list === undefined || list.trim() === "") return LOCAL_FLEET;
  const names = list.split(",").map((name) => name.trim());
  const unknown = names.filter((name) => !isSimBoardId(name));
  if (unknown.length > 0) {
    process.stderr.write(`BOARDS: no simulated board ${unknown.join(", ")}; choose from ${LOCAL_FLEET.map((b) => b.board).join(", ")}\n`);
    process.exit(2);
  }
  return LOCAL_FLEET.filter((entry) => names.includes(entry.board));
}

const port = Number(process.env.PORT ?? 8787);
const operatorToken = process.env.ADMIN_TOKEN ?? randomBytes(24).toString("base64url");
const verbose = process.env.VERBOSE === "1";
const echo = verbose ? (line: string) => process.stderr.write(`${line}\n`) : undefined;

const persistDir = path.join(REPO, ".wrangler/local-state");
const worker = new LocalWorker({ port, operatorToken, persistDir, echo });
/** The last run's administrator token: the operator secret creates the fleet only once. */
const TOKEN_FILE = path.join(persistDir, "local-fleet-token");
const bridges: LocalBridge[] = [];
/** The simulated boards' folder, made anew at each start: shutdown removes it. */
let work: string | undefined;

async function main(): Promise<void> {
  process.stderr.write(`Starting the Worker (wrangler dev) on port ${port}...\n`);
  await worker.start();
  const fleetToken = await signIn();
  const dir = await tempDir("jetson-sim-");
  work = dir;
  for (const entry of FLEET) {
    const { id, board, scenario, flaps } = entry;
    const bridge = await localFleetBridge(worker, await worker.provision(id), entry, { dir, scenarios, scenarioSpeed, echo });
    await bridge.start();
    bridges.push(bridge);
    process.stderr.write(`Simulated ${board} connected as ${id}${describe(bridge, scenarios ? scenario : undefined, scenarios && flaps)}\n`);
  }
  process.stdout.write(`MCP endpoint: ${worker.url}/mcp\nDashboard: ${worker.url}/\nToken: ${fleetToken}\n`);
  process.stderr.write("Ctrl-C stops everything.\n");
}

function describe(bridge: LocalBridge, scenario: ScenarioId | undefined, flaps: boolean | undefined): string {
  if (flaps) return `: its link drops for ${LINK_FLAPS.downMs / 1_000} s every ${LINK_FLAPS.upMs / 1_000} s`;
  if (!scenario) return "";
  if (bridge.scenarioUnavailable) return ` (scenario ${scenario} off: ${bridge.scenarioUnavailable})`;
  return `: ${SCENARIOS[scenario].describe}`;
}

/** Creates the fleet on the first run; later runs mint their new administrator token with the previous one. */
async function signIn(): Promise<string> {
  const previous = await readFile(TOKEN_FILE, "utf8").catch(() => undefined);
  let token: string;
  if (previous) {
    worker.fleetToken = previous;
    token = (await worker.api<{ token: string }>("/api/tokens", { method: "POST", body: JSON.stringify({ name: "local administrator", scopes: ["read", "operate", "admin"] }) })).token;
    worker.fleetToken = token;
  } else {
    token = await worker.createFleet("local");
  }
  await writeFile(TOKEN_FILE, token, { mode: 0o600 });
  return token;
}

async function shutdown(exitCode = 0): Promise<void> {
  await Promise.all(bridges.map((bridge) => bridge.dispose()));
  await worker.stop();
  if (work) await rm(work, { recursive: true, force: true });
  process.exit(exitCode);
}

process.once("SIGINT", () => void shutdown());
process.once("SIGTERM", () => void shutdown());
main().catch(async (error: Error) => {
  process.stderr.write(`${error.message}\n`);
  await shutdown(1);
});
