import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { LocalBridge, type LocalWorker, REPO } from "../scripts/local-stack.js";
import { round } from "./stats.js";

const run = promisify(execFile);
const CLOCK_TICKS_PER_SECOND = 100;

async function processTimes(pid: number): Promise<{ cpuTicks: number; rssMB: number }> {
  const stat = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]?.split(" ") ?? [];
  // Fields after the command name: utime and stime are the 12th and 13th.
  const cpuTicks = Number(stat[11]) + Number(stat[12]);
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const rssKB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return { cpuTicks, rssMB: round(rssKB / 1024, 1) };
}

/** The single-file bridge on a simulated AGX Orin, sampling at 1 Hz and publishing every 5 s: its memory and CPU share. */
export async function benchBridgeFootprint(worker: LocalWorker, dir: string, seconds: number) {
  await run("npm", ["run", "build", "-w", "@jetson/device-bridge"], { cwd: REPO });
  const bridge = await LocalBridge.create({
    worker,
    device: await worker.provision("bench-footprint"),
    board: "agx-orin-jp6",
    dir: path.join(dir, "bench-footprint"),
    bin: path.join(REPO, "device-bridge/dist/jetson-bridge.mjs"),
  });
  await bridge.start();
  const pid = bridge.running.child.pid ?? 0;
  try {
    // Past start-up, with telemetry flowing.
    await bridge.running.waitForLine(/connected to /);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const start = await processTimes(pid);
    const startedAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const end = await processTimes(pid);
    const elapsed = (performance.now() - startedAt) / 1000;
    return {
      seconds: round(elapsed, 1),
      residentMemoryMB: end.rssMB,
      cpuSharePct: round(((end.cpuTicks - start.cpuTicks) / CLOCK_TICKS_PER_SECOND / elapsed) * 100, 2),
    };
  } finally {
    await bridge.stop();
  }
}
