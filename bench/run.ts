import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LocalBridge, LocalWorker, REPO, tempDir } from "../scripts/local-stack.js";
import { freePort } from "../scripts/ports.js";
import { startSshd } from "../scripts/sshd.js";
import { benchAlertNotification } from "./alert-notification.js";
import { benchBridgeFootprint } from "./bridge-footprint.js";
import { benchBridgeUpdate } from "./bridge-update.js";
import { benchDashboard } from "./dashboard.js";
import { benchFleetRun } from "./fleet-run.js";
import { benchGateway } from "./gateway.js";
import { LIFTED_RATE_LIMITS } from "./lifted-limits.js";
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { benchMcpRoundTrip } from "./mcp-round-trip.js";
import { benchRegistryMix } from "./registry-mix.js";
import { benchPortTunnel } from "./port-tunnel.js";
import { benchSshPerCommand } from "./ssh-per-command.js";
import { benchSelector } from "./selector.js";
import { benchStorageDay } from "./storage-day.js";
import { round } from "./stats.js";
import { benchTelemetryIngest } from "./telemetry-ingest.js";
import { benchTelemetryParse } from "./telemetry-parse.js";

const CALLS = Number(process.env.BENCH_CALLS ?? 500);
const ALERT_CHANGES = Number(process.env.BENCH_ALERT_CHANGES ?? 200);
const TELEMETRY_MESSAGES = Number(process.env.BENCH_TELEMETRY_MESSAGES ?? 3000);
const DASHBOARD_DEVICES = Number(process.env.BENCH_DASHBOARD_DEVICES ?? 10_000);
const GATEWAY_CALLS = Number(process.env.BENCH_GATEWAY_CALLS ?? 200);
const FOOTPRINT_SECONDS = Number(process.env.BENCH_FOOTPRINT_SECONDS ?? 30);
const FLEET_RUN_DEVICES = Number(process.env.BENCH_FLEET_RUN_DEVICES ?? 100);
const FLEET_RUN_CONCURRENCY = [10, 50];
const SELECTOR_DEVICES = Number(process.env.BENCH_SELECTOR_DEVICES ?? 100);
const SELECTOR_CALLS = Number(process.env.BENCH_SELECTOR_CALLS ?? 20);
const TEGRASTATS_PARSES = Number(process.env.BENCH_PARSES ?? 200_000);
const SAMPLER_SAMPLES = Number(process.env.BENCH_SAMPLES ?? 500);
/** The registry mix: devices in the fleet, seconds per step, and the steps (multiples of a 10,000-device fleet's rate). */
const REGISTRY_DEVICES = Number(process.env.BENCH_REGISTRY_DEVICES ?? 10_000);
const REGISTRY_STEP_SECONDS = Number(process.env.BENCH_REGISTRY_STEP_SECONDS ?? 10);
const REGISTRY_MULTIPLIERS = [0.25, 0.5, 1, 2, 4, 8];
const TUNNEL_CALLS = Number(process.env.BENCH_TUNNEL_CALLS ?? 200);
const TUNNEL_MEGABYTES = Number(process.env.BENCH_TUNNEL_MEGABYTES ?? 50);
const BRIDGE_UPDATES = Number(process.env.BENCH_BRIDGE_UPDATES ?? 3);

async function main(): Promise<void> {
  const dir = await tempDir("jetson-bench-");
  const worker = new LocalWorker({
    port: await freePort(),
    operatorToken: randomBytes(24).toString("base64url"),
    persistDir: path.join(dir, "state"),
    vars: LIFTED_RATE_LIMITS,
  });
  await worker.start();
  await worker.createFleet("local");
  const bridge = await LocalBridge.create({ worker, device: await worker.provision("bench-orin"), board: "agx-orin-jp6", dir: path.join(dir, "bench-orin") });
  await bridge.start();
  const sshd = await startSshd(path.join(dir, "sshd"));
  const mcp = new Client({ name: "bench", version: "1.0.0" });
  await mcp.connect(
    new StreamableHTTPClientTransport(new URL(`${worker.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${worker.fleetToken}` } },
    }),
  );
  const modern = new ModernClient({ name: "bench-2026", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
  await modern.connect(
    new ModernTransport(new URL(`${worker.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${worker.fleetToken}` } } }),
  );
  try {
    const mcpRoundTrip = await benchMcpRoundTrip(mcp, "bench-orin", CALLS);
    const modernRoundTrip = await benchMcpRoundTrip(modern, "bench-orin", CALLS);
    const sshPerCommand = await benchSshPerCommand(sshd, CALLS);
    const telemetryIngest = await benchTelemetryIngest(worker, path.join(dir, "mosquitto"), TELEMETRY_MESSAGES);
    const alertNotification = await benchAlertNotification(worker.url, worker.fleetToken, await worker.provision("bench-alerts"), ALERT_CHANGES);
    const dashboard = await benchDashboard(worker, DASHBOARD_DEVICES);
    const gateway = await benchGateway(worker, sshd, mcp, dir, GATEWAY_CALLS);
    const footprint = await benchBridgeFootprint(worker, dir, FOOTPRINT_SECONDS);
    const fleetRun = await benchFleetRun(worker, FLEET_RUN_DEVICES, FLEET_RUN_CONCURRENCY);
    const selector = await benchSelector(worker, SELECTOR_DEVICES, SELECTOR_CALLS);
    const portTunnel = await benchPortTunnel(worker, dir, TUNNEL_CALLS, TUNNEL_MEGABYTES);
    const storageDay = await benchStorageDay(path.join(dir, "storage-day"));
    const telemetryParse = await benchTelemetryParse(TEGRASTATS_PARSES, SAMPLER_SAMPLES);
    const registryMix = await benchRegistryMix(path.join(dir, "registry-mix"), REGISTRY_DEVICES, REGISTRY_STEP_SECONDS, REGISTRY_MULTIPLIERS);
    const bridgeUpdate = await benchBridgeUpdate(worker, dir, BRIDGE_UPDATES);
    const results = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      "rate limits for this run": LIFTED_RATE_LIMITS,
      "system.ping via MCP → Worker → Durable Object → bridge": { "2025-11-25 (SDK v1 client)": mcpRoundTrip, "2026-07-28 (SDK v2 client)": modernRoundTrip },
      "the original's way: one SSH connection and command per call (OpenSSH on 127.0.0.1)": sshPerCommand,
      "SSH p50 / MCP p50": round(sshPerCommand.p50Ms / mcpRoundTrip.p50Ms),
      "telemetry ingest, one device link (QoS 1, the bridge's wire version 2), beside mosquitto 2.0.11 forwarding the same stream over WebSocket": telemetryIngest,
      "alert raised or cleared by a device's telemetry → notification on a listening 2026-07-28 client": alertNotification,
      "dashboard in headless Chromium (first render from navigation; JS heap after GC)": dashboard,
      "gateway mode (a JetPack 4 Nano reached over SSH)": gateway,
      "bridge (single-file build) sampling at 1 Hz, publishing every 5 s": footprint,
      [`fleet run: system.ping on ${FLEET_RUN_DEVICES} device links in one process, by concurrency limit`]: fleetRun,
      "worst-case selectors (`*a*a*…b`) over 63-character ids and tags, answered by the fleet's registry": selector,
      "port tunnel (open_device_port) against a direct connection on the same machine": portTunnel,
      "storage after a simulated day (clock driven, in workerd's SQLite)": storageDay,
      "the bridge's telemetry: tegrastats parse rate and one sysfs sample with engines": telemetryParse,
      [`one fleet's registry object at the request mix of ${REGISTRY_DEVICES} devices, then multiples of it until it no longer holds`]: registryMix,
      "bridge.update on a simulated board (single-file build through its launcher), to online on the new version": bridgeUpdate,
    };
    await mkdir(path.join(REPO, "bench/results"), { recursive: true });
    await writeFile(path.join(REPO, "bench/results/latest.json"), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await Promise.all([mcp.close(), modern.close()]);
    await sshd.stop();
    await bridge.stop();
    await worker.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
