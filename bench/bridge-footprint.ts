import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { BUNDLE_FILE, bundleOptions } from "../device-bridge/src/bundle/options.js";
import { startupModules } from "../device-bridge/src/bundle/startup-modules.js";
import { LocalBridge, type LocalWorker, REPO } from "../scripts/local-stack.js";
import { percentile, round } from "./stats.js";

const run = promisify(execFile);
const CLOCK_TICKS_PER_SECOND = 100;
const MB = 1024 * 1024;
const WARM_UP_MS = 10_000;
const UNIT_FILE = path.join(REPO, "infra/device/jetson-bridge.service");

async function processTimes(pid: number): Promise<{ cpuTicks: number; rssMB: number; anonMB: number }> {
  const stat = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]?.split(" ") ?? [];
  // Fields after the command name: utime and stime are the 12th and 13th.
  const cpuTicks = Number(stat[11]) + Number(stat[12]);
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kB = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return { cpuTicks, rssMB: round(kB("VmRSS") / 1024, 1), anonMB: round(kB("RssAnon") / 1024, 1) };
}

/** The environment the device's systemd unit gives the bridge (its Environment= lines), so it is measured as it runs. */
async function unitEnvironment(): Promise<Record<string, string>> {
  const unit = await readFile(UNIT_FILE, "utf8");
  return Object.fromEntries([...unit.matchAll(/^Environment=([A-Z_]+)=(.*)$/gm)].map(([, name = "", value = ""]) => [name, value]));
}

/** Node's own floor here: the resident memory of a script that does nothing, with the same environment. */
async function emptyScriptRssMB(env: Record<string, string>): Promise<number> {
  const { stdout } = await run(process.execPath, ["-e", "process.stdout.write(String(process.memoryUsage().rss))"], { env: { ...process.env, ...env } });
  return round(Number(stdout) / MB, 1);
}

/** What the single file runs as it starts: the inputs its entry reaches without a dynamic import(), by package. */
async function startup() {
  const { metafile } = await build({ ...bundleOptions, metafile: true, write: false });
  const atStart = startupModules(metafile, "src/cli/main.ts");
  const packageOf = (input: string) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? (input.startsWith("../protocol/") ? "@jetson/protocol" : "device-bridge");
  return {
    modulesAtStart: atStart.length,
    modulesInBundle: Object.keys(metafile.inputs).length,
    packagesAtStart: [...new Set(atStart.map(packageOf))].sort(),
    packagesOnFirstUse: [...new Set(Object.keys(metafile.inputs).filter((input) => !atStart.includes(input)).map(packageOf))].sort(),
  };
}

/**
 * The single-file bridge on a simulated AGX Orin, sampling at 1 Hz and publishing every 5 s, started
 * with its unit's environment: resident memory each second of the window (after a warm-up), its heap
 * at the end (the bridge prints process.memoryUsage() on SIGUSR2), its CPU share, and what loaded at start.
 */
export async function benchBridgeFootprint(worker: LocalWorker, dir: string, seconds: number) {
  await run("npm", ["run", "build", "-w", "@jetson/device-bridge"], { cwd: REPO });
  const env = await unitEnvironment();
  const bridge = await LocalBridge.create({
    worker,
    device: await worker.provision("bench-footprint"),
    board: "agx-orin-jp6",
    dir: path.join(dir, "bench-footprint"),
    bin: BUNDLE_FILE,
    env,
  });
  await bridge.start();
  const pid = bridge.running.child.pid ?? 0;
  try {
    // Past start-up, with telemetry flowing: two batches published.
    await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
    const start = await processTimes(pid);
    const startedAt = performance.now();
    const rss: number[] = [];
    const anon: number[] = [];
    while (performance.now() - startedAt < seconds * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const now = await processTimes(pid);
      rss.push(now.rssMB);
      anon.push(now.anonMB);
    }
    const end = await processTimes(pid);
    const elapsed = (performance.now() - startedAt) / 1000;
    const memoryLine = bridge.running.nextLine(/memory (\{.*\})/);
    bridge.running.signal("SIGUSR2");
    const usage = JSON.parse((await memoryLine)[1] ?? "{}") as NodeJS.MemoryUsage;
    return {
      seconds: round(elapsed, 1),
      environment: env,
      residentMemoryMB: { median: percentile(rss, 50), max: Math.max(...rss) },
      "of which anonymous (the rest is Node's binary and libraries, mapped from disk)": { median: percentile(anon, 50), max: Math.max(...anon) },
      heapUsedMB: round(usage.heapUsed / MB, 1),
      heapTotalMB: round(usage.heapTotal / MB, 1),
      externalMB: round(usage.external / MB, 1),
      cpuSharePct: round(((end.cpuTicks - start.cpuTicks) / CLOCK_TICKS_PER_SECOND / elapsed) * 100, 2),
      "Node's empty script here (MB resident)": await emptyScriptRssMB(env),
      startup: await startup(),
    };
  } finally {
    await bridge.stop();
  }
}
