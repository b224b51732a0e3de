import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Client as ModernClient, type ClientOptions as ModernClientOptions, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import type { SimBoardId } from "../../device-bridge/sim/index.js";
import { type BridgeOptions, LocalBridge, LocalWorker, tempDir } from "../../scripts/local-stack.js";
import { freePort } from "../../scripts/ports.js";

/** The revision SDK v2 clients speak here; the SDK v1 `Client` speaks 2025-11-25. */
export const MODERN_REVISION = "2026-07-28";

/** A Worker under wrangler dev with its own state folder, and the simulated bridges a test starts. */
export class TestStack {
  readonly bridges = new Map<string, LocalBridge>();

  private constructor(
    readonly worker: LocalWorker,
    readonly dir: string,
  ) {}

  /** `vars` adds or overrides Worker vars (e.g. PUBLIC_URL, when a front end stands before it). */
  static async start(vars: Record<string, string> = {}): Promise<TestStack> {
    const dir = await tempDir("jetson-e2e-");
    const worker = new LocalWorker({
      port: await freePort(),
      operatorToken: randomBytes(24).toString("base64url"),
      persistDir: path.join(dir, "worker-state"),
      // Tests sweep every tool; the per-token limit has its own test inside workerd.
      vars: { TOKEN_RATE_PER_SECOND: "1000", TOKEN_RATE_BURST: "1000", ...vars },
    });
    await worker.start();
    await worker.createFleet("local");
    return new TestStack(worker, dir);
  }

  /** Provisions a device and starts its bridge on a simulated board, connected. */
  async addBridge(
    id: string,
    board: SimBoardId,
    options: { token?: string; start?: boolean } & Partial<Pick<BridgeOptions, "extraConfig" | "scenario" | "ownFilesystemBytes" | "engine" | "flap" | "installed">> = {},
  ): Promise<LocalBridge> {
    const device = await this.worker.provision(id);
    const { token, start, ...simulation } = options;
    const bridge = await LocalBridge.create({
      worker: this.worker,
      device: token ? { ...device, token } : device,
      board,
      dir: path.join(this.dir, id),
      ...simulation,
    });
    this.bridges.set(id, bridge);
    if (start !== false) {
      await bridge.start();
      await this.stateReported(id);
    }
    return bridge;
  }

  /**
   * Until the device's first state report has arrived: the bridge reads it (nvpmodel -q among
   * others) just after connecting, and tests that watch what runs on the board start after that.
   */
  private async stateReported(id: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!(await this.worker.api<{ state?: unknown }>(`/api/devices/${id}`)).state) {
      if (Date.now() > deadline) throw new Error(`${id} connected but reported no state within 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** An MCP client signed in with a token (the fleet administrator's by default). */
  async mcp(token = this.worker.fleetToken): Promise<Client> {
    const client = new Client({ name: "e2e-test", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(`${this.worker.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    });
    await client.connect(transport);
    return client;
  }

  /** An MCP client of revision 2026-07-28 (SDK v2), signed in with a token; `options` adds capabilities, e.g. elicitation. */
  async mcpModern(token = this.worker.fleetToken, options: ModernClientOptions = {}): Promise<ModernClient> {
    const client = new ModernClient({ name: "e2e-test-2026", version: "1.0.0" }, { versionNegotiation: { mode: { pin: MODERN_REVISION } }, ...options });
    const transport = new ModernTransport(new URL(`${this.worker.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
    await client.connect(transport);
    return client;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.bridges.values()].map((bridge) => bridge.dispose("SIGKILL")));
    await this.worker.stop();
    // Every test file's stack leaves megabytes of SQLite and simulated boards otherwise.
    await rm(this.dir, { recursive: true, force: true });
  }
}
