import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { LocalBridge, LocalWorker, REPO, tempDir } from "./local-stack.js";
import { isSimBoardId } from "../device-bridge/sim/index.js";
import { LOCAL_FLEET } from "./local-fleet.js";

/** BOARDS=agx-thor-jp7,nano-jp46 starts only those; every board by default. */
const FLEET = chooseBoards(process.env.BOARDS);

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

async function main(): Promise<void> {
  process.stderr.write(`Starting the Worker (wrangler dev) on port ${port}...\n`);
  await worker.start();
  const fleetToken = await signIn();
  const work = await tempDir("jetson-sim-");
  for (const { id, board } of FLEET) {
    const device = await worker.provision(id);
    const bridge = await LocalBridge.create({ worker, device, board, dir: path.join(work, id), echo });
    await bridge.start();
    bridges.push(bridge);
    process.stderr.write(`Simulated ${board} connected as ${id}\n`);
  }
  process.stdout.write(`MCP endpoint: ${worker.url}/mcp\nDashboard: ${worker.url}/\nToken: ${fleetToken}\n`);
  process.stderr.write("Ctrl-C stops everything.\n");
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

async function shutdown(): Promise<void> {
  await Promise.all(bridges.map((bridge) => bridge.stop()));
  await worker.stop();
  process.exit(0);
}

process.once("SIGINT", () => void shutdown());
process.once("SIGTERM", () => void shutdown());
main().catch(async (error: Error) => {
  process.stderr.write(`${error.message}\n`);
  await shutdown();
  process.exit(1);
});
