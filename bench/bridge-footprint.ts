import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { BUNDLE_FILE, bundleOptions } from "../device-bridge/src/bundle/options.js";
import { COMMAND_MODULES, startupModules } from "../device-bridge/src/bundle/startup-modules.js";
import { LocalBridge, LocalWorker, REPO, tempDir } from "../scripts/local-stack.js";
import { freePort } from "../scripts/ports.js";
import type { ManagedProcess } from "../scripts/processes.js";
import { percentile, round } from "./stats.js";

const run = promisify(execFile);
const CLOCK_TICKS_PER_SECOND = 100;
const MB = 1024 * 1024;
const WARM_UP_MS = 10_000;
const UNIT_FILE = path.join(REPO, "infra/device/jetson-bridge.service");
const ENTRY = "src/cli/main.ts";

interface Figures {
  cpuTicks: number;
  rssMB: number;
  anonMB: number;
  fileMB: number;
  /** Proportional set size: shared pages (Node's binary, mapped by both processes) counted once between them. */
  pssMB: number;
}

async function processFigures(pid: number): Promise<Figures> {
  const stat = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]?.split(" ") ?? [];
  // Fields after the command name: utime and stime are the 12th and 13th.
  const cpuTicks = Number(stat[11]) + Number(stat[12]);
  const [status, rollup] = await Promise.all([readFile(`/proc/${pid}/status`, "utf8"), readFile(`/proc/${pid}/smaps_rollup`, "utf8")]);
  const mB = (text: string, field: string) => round(Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? Number.NaN) / 1024, 1);
  return { cpuTicks, rssMB: mB(status, "VmRSS"), anonMB: mB(status, "RssAnon"), fileMB: mB(status, "RssFile"), pssMB: mB(rollup, "Pss") };
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

/** What the single file runs as each of its two processes starts: the inputs reached without a dynamic import(), by package. */
async function startup() {
  const { metafile } = await build({ ...bundleOptions, metafile: true, write: false });
  const packageOf = (input: string) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? (input.startsWith("../protocol/") ? "@jetson/protocol" : "device-bridge");
  const loads = (atStart: string[]) => ({ modulesAtStart: atStart.length, packagesAtStart: [...new Set(atStart.map(packageOf))].sort() });
  const bridge = startupModules(metafile, ENTRY, ...COMMAND_MODULES.run);
  return {
    modulesInBundle: Object.keys(metafile.inputs).length,
    bridge: loads(bridge),
    launcher: loads(startupModules(metafile, ENTRY, ...COMMAND_MODULES.launch)),
    packagesOnFirstUse: [...new Set(Object.keys(metafile.inputs).filter((input) => !bridge.includes(input)).map(packageOf))].sort(),
  };
}

/** The process's memoryUsage(), which the launcher and the bridge each print on SIGUSR2 (the line's tag says which). */
async function memoryUsage(output: ManagedProcess, pid: number, tag: "bridge" | "launcher") {
  const line = output.nextLine(new RegExp(`\\[${tag}\\] memory (\\{.*\\})`));
  process.kill(pid, "SIGUSR2");
  const usage = JSON.parse((await line)[1] ?? "{}") as NodeJS.MemoryUsage;
  return { heapUsedMB: round(usage.heapUsed / MB, 1), heapTotalMB: round(usage.heapTotal / MB, 1), externalMB: round(usage.external / MB, 1) };
}

const spread = (values: number[]) => ({ median: percentile(values, 50), max: Math.max(...values) });

/**
 * The single-file bridge on a simulated AGX Orin, sampling at 1 Hz and publishing every 5 s, started
 * as its systemd unit starts it: the installed bundle as launcher, which runs the bridge as its child.
 * Each second of the window (after a warm-up): both processes' resident memory (anonymous and mapped
 * from files) and the pair's proportional set size; at the end each one's heap, the CPU share, and what loaded at start.
 */
export async function benchBridgeFootprint(worker: LocalWorker, dir: string, seconds: number) {
  await run("npm", ["run", "build", "-w", "@jetson/device-bridge"], { cwd: REPO });
  const env = await unitEnvironment();
  const bridge = await LocalBridge.create({
    worker,
    device: await worker.provision("bench-footprint"),
    board: "agx-orin-jp6",
    dir: path.join(dir, "bench-footprint"),
    installed: BUNDLE_FILE,
    env,
  });
  await bridge.start();
  const launcherPid = bridge.running.child.pid ?? 0;
  const [bridgePid = 0] = (await readFile(`/proc/${launcherPid}/task/${launcherPid}/children`, "utf8")).trim().split(" ").map(Number);
  try {
    // Past start-up, with telemetry flowing: two batches published.
    await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
    const [bridgeStart, launcherStart] = await Promise.all([processFigures(bridgePid), processFigures(launcherPid)]);
    const startedAt = performance.now();
    const samples: { bridge: Figures; launcher: Figures }[] = [];
    while (performance.now() - startedAt < seconds * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const [bridgeNow, launcherNow] = await Promise.all([processFigures(bridgePid), processFigures(launcherPid)]);
      samples.push({ bridge: bridgeNow, launcher: launcherNow });
    }
    const [bridgeEnd, launcherEnd] = await Promise.all([processFigures(bridgePid), processFigures(launcherPid)]);
    const elapsed = (performance.now() - startedAt) / 1000;
    const cpuSharePct = (start: Figures, end: Figures) => round(((end.cpuTicks - start.cpuTicks) / CLOCK_TICKS_PER_SECOND / elapsed) * 100, 2);
    const of = (which: "bridge" | "launcher", figure: "rssMB" | "anonMB" | "fileMB" | "pssMB") => spread(samples.map((sample) => sample[which][figure]));
    const bridgeHeap = await memoryUsage(bridge.running, bridgePid, "bridge");
    const launcherHeap = await memoryUsage(bridge.running, launcherPid, "launcher");
    return {
      seconds: round(elapsed, 1),
      environment: env,
      residentMemoryMB: of("bridge", "rssMB"),
      "of which anonymous": of("bridge", "anonMB"),
      "of which mapped from files (Node's binary and libraries, shared and clean)": of("bridge", "fileMB"),
      ...bridgeHeap,
      cpuSharePct: cpuSharePct(bridgeStart, bridgeEnd),
      "the launcher (`jetson-bridge launch`, the unit's main process, the bridge's parent)": {
        residentMemoryMB: of("launcher", "rssMB"),
        anonymousMB: of("launcher", "anonMB"),
        fromFilesMB: of("launcher", "fileMB"),
        ...launcherHeap,
        cpuSharePct: cpuSharePct(launcherStart, launcherEnd),
      },
      // PSS divides a shared page among every process that maps it, here other engineers' Node processes too:
      // on a device, where the pair alone runs Node, it is nearer the second figure.
      "the pair's proportional set size (MB; pages both map, Node's binary above all, counted once)": spread(
        samples.map((sample) => round(sample.bridge.pssMB + sample.launcher.pssMB, 1)),
      ),
      "the pair alone on a device (MB; both anonymous parts and the larger part mapped from files)": spread(
        samples.map(({ bridge, launcher }) => round(bridge.anonMB + launcher.anonMB + Math.max(bridge.fileMB, launcher.fileMB), 1)),
      ),
      "Node's empty script here": await emptyScript(env),
      startup: await startup(),
    };
  } finally {
    await bridge.stop();
  }
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
  }
}
