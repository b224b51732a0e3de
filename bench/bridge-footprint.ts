import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { BUNDLE_FILE, bundleOptions } from "../device-bridge/src/bundle/options.js";
import { COMMAND_MODULES, startupModules } from "../device-bridge/src/bundle/startup-modules.js";
import { BRIDGE_VERSION } from "../device-bridge/src/version.js";
import { LocalBridge, LocalWorker, REPO, tempDir } from "../scripts/local-stack.js";
import { freePort } from "../scripts/ports.js";
import type { PrintsLines } from "../scripts/output-lines.js";
import { percentile, round } from "./stats.js";

const run = promisify(execFile);
const CLOCK_TICKS_PER_SECOND = 100;
const MB = 1024 * 1024;
const WARM_UP_MS = 10_000;
const UNIT_FILE = path.join(REPO, "infra/device/jetson-bridge.service");
const ENTRY = "src/cli/main.ts";
/** A release version the build does not run: its health check never passes. */
const NEVER_RUNNING_VERSION = "99.0.0";

/** The trial's time: longer than the bench, so the release stays on trial (its watcher running) while it is measured. */
const TRIAL_HEALTH_TIMEOUT_SECONDS = 3_600;
/** How long a process after an update is sampled: it differs from the bridge by what it loads at start, not by what it does. */
const TRIAL_SECONDS = 20;

interface Figures {
  cpuTicks: number;
  rssMB: number;
  anonMB: number;
  fileMB: number;
}

async function processFigures(pid: number): Promise<Figures> {
  const stat = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]?.split(" ") ?? [];
  // Fields after the command name: utime and stime are the 12th and 13th.
  const cpuTicks = Number(stat[11]) + Number(stat[12]);
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const mB = (field: string) => round(Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN) / 1024, 1);
  return { cpuTicks, rssMB: mB("VmRSS"), anonMB: mB("RssAnon"), fileMB: mB("RssFile") };
}

/** The environment the device's systemd unit gives the bridge (its Environment= lines), so it is measured as it runs. */
async function unitEnvironment(): Promise<Record<string, string>> {
  const unit = await readFile(UNIT_FILE, "utf8");
  return Object.fromEntries([...unit.matchAll(/^Environment=([A-Z_]+)=(.*)$/gm)].map(([, name = "", value = ""]) => [name, value]));
}

/** Node's own floor here: the memory of a script that does nothing, with the same environment. */
async function emptyScript(env: Record<string, string>) {
  const script = "const s = require('fs').readFileSync('/proc/self/status', 'utf8'); process.stdout.write(['VmRSS', 'RssAnon', 'RssFile'].map((f) => new RegExp(f + ':\\\\s+(\\\\d+)').exec(s)[1]).join(' '))";
  const { stdout } = await run(process.execPath, ["-e", script], { env: { ...process.env, ...env } });
  const [rss = 0, anon = 0, file = 0] = stdout.split(" ").map((kB) => round(Number(kB) / 1024, 1));
  return { residentMB: rss, anonymousMB: anon, fromFilesMB: file };
}

/** What the single file runs as it starts, for the bridge and for `launch` before it chose the release: the inputs reached without a dynamic import(), by package. */
async function startup() {
  const { metafile } = await build({ ...bundleOptions, metafile: true, write: false });
  const packageOf = (input: string) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? (input.startsWith("../protocol/") ? "@jetson/protocol" : "device-bridge");
  const loads = (atStart: string[]) => ({ modulesAtStart: atStart.length, packagesAtStart: [...new Set(atStart.map(packageOf))].sort() });
  const bridge = startupModules(metafile, ENTRY, ...COMMAND_MODULES.run);
  return {
    modulesInBundle: Object.keys(metafile.inputs).length,
    bridge: loads(bridge),
    "launch, before it chose the release": loads(startupModules(metafile, ENTRY, ...COMMAND_MODULES.launch)),
    packagesOnFirstUse: [...new Set(Object.keys(metafile.inputs).filter((input) => !bridge.includes(input)).map(packageOf))].sort(),
  };
}

/** The process's memoryUsage(), which the bridge prints on SIGUSR2. */
async function memoryUsage(output: PrintsLines, pid: number) {
  const line = output.nextLine(/\[bridge\] memory (\{.*\})/);
  process.kill(pid, "SIGUSR2");
  const usage = JSON.parse((await line)[1] ?? "{}") as NodeJS.MemoryUsage;
  return { heapUsedMB: round(usage.heapUsed / MB, 1), heapTotalMB: round(usage.heapTotal / MB, 1), externalMB: round(usage.external / MB, 1) };
}

const spread = (values: number[]) => ({ median: percentile(values, 50), max: Math.max(...values) });

/** The unit's one process, sampled each second for `seconds` after a warm-up: resident memory (anonymous and mapped from files), heap and CPU share. */
async function measure(bridge: LocalBridge, seconds: number) {
  await bridge.start();
  const pid = bridge.running.pid ?? 0;
  try {
    // Past start-up, with telemetry flowing: two batches published.
    await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
    const start = await processFigures(pid);
    const startedAt = performance.now();
    const samples: Figures[] = [];
    while (performance.now() - startedAt < seconds * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      samples.push(await processFigures(pid));
    }
    const end = await processFigures(pid);
    const elapsed = (performance.now() - startedAt) / 1000;
    const of = (figure: "rssMB" | "anonMB" | "fileMB") => spread(samples.map((sample) => sample[figure]));
    return {
      seconds: round(elapsed, 1),
      residentMemoryMB: of("rssMB"),
      "of which anonymous": of("anonMB"),
      "of which mapped from files (Node's binary and libraries, shared and clean)": of("fileMB"),
      ...(await memoryUsage(bridge.running, pid)),
      threads: Number(/^Threads:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1]),
      cpuSharePct: round(((end.cpuTicks - start.cpuTicks) / CLOCK_TICKS_PER_SECOND / elapsed) * 100, 2),
    };
  } finally {
    await bridge.stop();
  }
}

/**
 * The single-file bridge on a simulated AGX Orin, sampling at 1 Hz and publishing every 5 s, started
 * as its systemd unit starts it: the installed bundle's `launch`, which runs the bridge in the same
 * process, the unit's only one. Then the same process as after bridge.update: the build installed
 * as a release and put on trial, once as a version the build does not run (its health check never
 * passes, so its deadline watcher, a Worker thread, runs while it is measured), once as the version
 * it runs (the trial passes with the first telemetry batch and the watcher ends): beside the bridge,
 * the process holds the installed bundle that launched it and what launch loaded to read pending.json.
 */
export async function benchBridgeFootprint(worker: LocalWorker, dir: string, seconds: number) {
  await run("npm", ["run", "build", "-w", "@jetson/device-bridge"], { cwd: REPO });
  const env = await unitEnvironment();
  const device = async (id: string) => LocalBridge.create({ worker, device: await worker.provision(id), board: "agx-orin-jp6", dir: path.join(dir, id), installed: BUNDLE_FILE, env });
  /** A device whose bridge.update to `version` (this build) has just restarted it. */
  const updated = async (id: string, version: string) => {
    const bridge = await device(id);
    await bridge.releases.install(version, BUNDLE_FILE);
    await bridge.releases.setPending({ version, from: "(as installed)", healthTimeoutSeconds: TRIAL_HEALTH_TIMEOUT_SECONDS, requestedAt: Date.now() });
    await bridge.releases.switchTo(version);
    return bridge;
  };
  return {
    environment: env,
    ...(await measure(await device("bench-footprint"), seconds)),
    "during a trial (after bridge.update, until the health check passes; its deadline watcher running)": await measure(
      await updated("bench-footprint-trial", NEVER_RUNNING_VERSION),
      Math.min(seconds, TRIAL_SECONDS),
    ),
    "after an update (the trial passed, its watcher ended), until the next restart": await measure(await updated("bench-footprint-updated", BRIDGE_VERSION), Math.min(seconds, TRIAL_SECONDS)),
    "Node's empty script here": await emptyScript(env),
    startup: await startup(),
  };
}

/** Alone: `node --import tsx bench/bridge-footprint.ts` (BENCH_FOOTPRINT_SECONDS, 30 by default) against a Worker of its own. */
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dir = await tempDir("jetson-footprint-");
  const worker = new LocalWorker({ port: await freePort(), operatorToken: randomBytes(24).toString("base64url"), persistDir: path.join(dir, "state") });
  await worker.start();
  try {
    await worker.createFleet("local");
    const figures = await benchBridgeFootprint(worker, dir, Number(process.env.BENCH_FOOTPRINT_SECONDS ?? 30));
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    await worker.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
