import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ProvisionedDevice } from "@jetson/protocol";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  createSimulatedJetson,
  ENGINE_SOCKET,
  SCENARIOS,
  type ScenarioId,
  type SimBoardId,
  startSimulatedEngine,
  startSimulationClock,
  watchReboots,
} from "../device-bridge/sim/index.js";
import { freePort } from "./ports.js";
import { SAVED_CLOCKS_DIR } from "../device-bridge/src/machine/jetson-clocks-commands.js";
import { type FlapSchedule, FlappingLink } from "./flapping-link.js";
import { ManagedProcess } from "./processes.js";
import { prebuiltWorkerConfig } from "./prebuilt-worker-config.js";
import { RestartOnFailure } from "./restart-on-failure.js";
import { ReleaseDir } from "../device-bridge/src/update/release-dir.js";

const run = promisify(execFile);

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const WRANGLER = path.join(REPO, "node_modules/.bin/wrangler");
export const BRIDGE_BIN = path.join(REPO, "device-bridge/bin/jetson-bridge.js");

export interface WorkerOptions {
  port: number;
  /** The operator's root secret (ADMIN_TOKEN): it only creates fleets. */
  operatorToken: string;
  /** Where the Durable Objects keep their SQLite files; kept across restarts. */
  persistDir: string;
  /** Extra Worker vars (wrangler dev --var). */
  vars?: Record<string, string>;
  /** The port of wrangler's inspector (Chrome DevTools Protocol: a CPU profile or the JS heap of the Worker's isolate); a free one when absent. */
  inspectorPort?: number;
  echo?: (line: string) => void;
}

/** `wrangler dev` serving the Worker on 127.0.0.1, offline. */
export class LocalWorker {
  private process: ManagedProcess | undefined;
  /** The administrator token of the fleet this process signed in to (see `createFleet`). */
  fleetToken = "";

  constructor(readonly options: WorkerOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  async start(): Promise<void> {
    const { port, operatorToken, persistDir, echo, vars = {}, inspectorPort } = this.options;
    // The confirmation state's signing key only has to outlive a confirmation (two minutes): a new one per start.
    const stateSecret = randomBytes(32).toString("base64url");
    const varArgs = Object.entries({ ADMIN_TOKEN: operatorToken, PUBLIC_URL: this.url, MCP_STATE_SECRET: stateSecret, ...vars }).flatMap(([k, v]) => [
      "--var",
      `${k}:${v}`,
    ]);
    this.process = ManagedProcess.start(
      "wrangler dev",
      WRANGLER,
      // Its own inspector port too: the default (9229) is taken by whichever stack started first.
      ["dev", "--config", await prebuiltWorkerConfig(REPO), "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort ?? (await freePort())),
        "--persist-to", persistDir, ...varArgs, "--show-interactive-dev-session=false"],
      {
        cwd: path.join(REPO, "worker"),
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1" },
        echo,
      },
    );
    await this.process.waitForLine(/Ready on http/, 120_000);
  }

  /** The wrangler process, which leads the process group its workerd runs in. */
  get pid(): number | undefined {
    return this.process?.child.pid;
  }

  /** SIGKILL ends it even while frozen. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await this.process?.stop(signal);
  }

  /** Stops answering without closing a connection: what a cloud that hangs looks like to a device. */
  freeze(): void {
    this.process?.signal("SIGSTOP");
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Creates a fleet with the operator secret and signs in as its administrator. */
  async createFleet(id: string): Promise<string> {
    const { token } = await this.request<{ token: string }>(this.options.operatorToken, "/admin/fleets", {
      method: "POST",
      body: JSON.stringify({ id }),
    });
    this.fleetToken = token;
    return token;
  }

  /** A REST call as the fleet's administrator. */
  api<T>(pathname: string, init: RequestInit = {}): Promise<T> {
    return this.request(this.fleetToken, pathname, init);
  }

  private async request<T>(token: string, pathname: string, init: RequestInit): Promise<T> {
    const response = await fetch(`${this.url}${pathname}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...init.headers },
    });
    if (!response.ok) throw new Error(`${init.method ?? "GET"} ${pathname}: ${response.status} ${await response.text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  provision(deviceId: string): Promise<ProvisionedDevice> {
    return this.api("/api/devices", { method: "POST", body: JSON.stringify({ id: deviceId }) });
  }
}

export interface BridgeOptions {
  worker: LocalWorker;
  device: ProvisionedDevice;
  board: SimBoardId;
  /** A folder for this bridge's simulated machine and state. */
  dir: string;
  keepaliveSeconds?: number;
  /** The bridge program to run: the TypeScript launcher by default, or the single-file build. */
  bin?: string;
  /** Environment for the bridge process beyond this one's (as a systemd unit's Environment= lines). */
  env?: Record<string, string>;
  /** More bridge configuration (e.g. docker, models), merged over what create writes. */
  extraConfig?: Record<string, unknown>;
  echo?: (line: string) => void;
  /** A scenario the simulated board runs while the bridge does, at `speed` scenario seconds per second (default 1). */
  scenario?: { id: ScenarioId; speed?: number };
  /** Puts the board's root on a tmpfs of its own of this size (a disk that can fill); needs root to mount. */
  ownFilesystemBytes?: number;
  /** Runs the board's container engine (a Docker Engine API stand-in) and points the bridge at it. */
  engine?: boolean;
  /** Drops the bridge's link to the Worker on this schedule, through a relay the bridge dials as its cloud. */
  flap?: FlapSchedule;
  /**
   * Runs the bridge as a provisioned device does: this single-file build, started as its own
   * launcher (`launch`), which runs itself until bridge.update installs a release, then whatever
   * `current` points at, and rolls back a release that fails its health check; restarted as the
   * device's unit restarts it (RestartOnFailure), since a release ends its process to be updated.
   */
  installed?: string;
}

/** A real bridge process serving a simulated Jetson. */
export class LocalBridge {
  private process: ManagedProcess | RestartOnFailure | undefined;
  /** The simulated board moves on its own (load, temperatures, counters) only while this runs. */
  private stopClock: (() => void) | undefined;
  private stopWatchingReboots: (() => void) | undefined;
  /** The bridge being ended and started again after the board rebooted, until it is started. */
  private rebooting: Promise<void> | undefined;
  private engine: { close(): Promise<void> } | undefined;

  private constructor(
    readonly options: BridgeOptions,
    readonly root: string,
    readonly configFile: string,
    /** Why the scenario asked for cannot run on this board, if it cannot: the board then runs without it. */
    readonly scenarioUnavailable: string | undefined,
    private readonly mounted: boolean,
    readonly link: FlappingLink | undefined,
  ) {}

  /** The installed releases, when the bridge runs as a device does (`installed`). */
  get releases(): ReleaseDir {
    return new ReleaseDir(path.join(this.options.dir, "bridge"));
  }

  static async create(options: BridgeOptions): Promise<LocalBridge> {
    const rootDir = path.join(options.dir, "root");
    const mounted = options.ownFilesystemBytes !== undefined && (await mountOwnFilesystem(rootDir, options.ownFilesystemBytes));
    const sim = await createSimulatedJetson({ dir: rootDir, board: options.board, hostname: options.device.id });
    // Made by provisioning on a device: the root-only folder where jetson_clocks keeps the settings clocks.lock saves.
    await mkdir(path.join(sim.root, SAVED_CLOCKS_DIR), { recursive: true });
    const configFile = path.join(options.dir, "bridge.json");
    const link = options.flap && (await FlappingLink.start(options.worker.options.port, options.flap));
    await mkdir(path.join(options.dir, "state"), { recursive: true });
    await writeFile(
      configFile,
      JSON.stringify({
        url: link?.url ?? options.worker.url,
        fleet: options.device.fleet,
        deviceId: options.device.id,
        token: options.device.token,
        root: sim.root,
        programDirs: [sim.binDir],
        stateDir: path.join(options.dir, "state"),
        keepaliveSeconds: options.keepaliveSeconds ?? 60,
        reconnect: { minMs: 200, maxMs: 2_000 },
        ...(options.engine ? { docker: { socket: path.join(sim.root, ENGINE_SOCKET) } } : {}),
        ...options.extraConfig,
      }),
      { mode: 0o600 },
    );
    const unavailable = options.scenario && SCENARIOS[options.scenario.id].unavailable?.(sim.root);
    return new LocalBridge(options, sim.root, configFile, unavailable, mounted, link);
  }

  get deviceId(): string {
    return this.options.device.id;
  }

  /** Starts the process without waiting for it to connect. */
  launch(): ManagedProcess | RestartOnFailure {
    const { scenario } = this.options;
    const run = scenario && !this.scenarioUnavailable ? { scenario: SCENARIOS[scenario.id], speed: scenario.speed ?? 1 } : undefined;
    this.stopClock ??= startSimulationClock(this.root, 1_000, run);
    this.stopWatchingReboots ??= watchReboots(this.root, () => (this.rebooting = this.restartAfterReboot()));
    this.process = this.spawn();
    return this.process;
  }

  private spawn(): ManagedProcess | RestartOnFailure {
    const { installed } = this.options;
    const options = { cwd: REPO, env: { ...process.env, ...this.options.env }, echo: this.options.echo };
    const name = `bridge ${this.deviceId}`;
    return installed
      ? RestartOnFailure.start(name, process.execPath, [installed, "launch", "--releases", this.releases.dir, "--", "run", "--config", this.configFile], options)
      : ManagedProcess.start(name, process.execPath, [this.options.bin ?? BRIDGE_BIN, "run", "--config", this.configFile], options);
  }

  /**
   * What a reboot does to the bridge on a board: shutdown ends it (SIGTERM), and once the board is up
   * systemd starts its unit again, so it connects anew and reports the state the board booted into.
   */
  private async restartAfterReboot(): Promise<void> {
    await this.rebooting;
    await this.process?.stop("SIGTERM");
    if (this.stopWatchingReboots) this.process = this.spawn();
  }

  /** Starts the board's engine (when asked for) and the process, and waits until it is connected. */
  async start(): Promise<void> {
    if (this.options.engine) this.engine ??= await startSimulatedEngine(this.root);
    await this.launch().waitForLine(/connected to /);
  }

  get running(): ManagedProcess | RestartOnFailure {
    if (!this.process) throw new Error("bridge not started");
    return this.process;
  }

  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    this.stopClock?.();
    this.stopClock = undefined;
    this.stopWatchingReboots?.();
    this.stopWatchingReboots = undefined;
    await this.rebooting;
    await this.process?.stop(signal);
  }

  /** Stops the bridge and what the board's simulation runs beside it (engine, link relay, its own filesystem). */
  async dispose(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await this.stop(signal);
    await this.engine?.close();
    this.engine = undefined;
    await this.link?.stop();
    if (this.mounted) await run("umount", [this.root]);
  }
}

/** A tmpfs of `bytes` at `dir`, so the board's disk can fill without touching the host's; false where mounting is not allowed. */
async function mountOwnFilesystem(dir: string, bytes: number): Promise<boolean> {
  await mkdir(dir, { recursive: true });
  return run("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir]).then(
    () => true,
    () => false,
  );
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}
