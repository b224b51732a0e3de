import { randomBytes } from "node:crypto";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { LocalWorker, tempDir } from "../scripts/local-stack.js";
import { freePort } from "../scripts/ports.js";
import { WorkerInspector } from "../scripts/worker-inspector.js";
import { LIFTED_RATE_LIMITS } from "./lifted-limits.js";
import { round } from "./stats.js";
import { benchTelemetryIngest } from "./telemetry-ingest.js";

/*
 * The ingest benchmark alone (`node --import tsx bench/ingest-alone.ts`), with what a shared machine's
 * rates hide: the CPU time workerd spent per message, and on request (PROFILE=file.cpuprofile) a CPU
 * profile of the Worker's isolate over wrangler's inspector, for Chrome DevTools.
 */
const MESSAGES = Number(process.env.BENCH_TELEMETRY_MESSAGES ?? 3000);
const PROFILE = process.env.PROFILE;
/** Microseconds between the profiler's samples: fine enough to split a message of about a millisecond. */
const SAMPLING_US = 200;

/** Seconds of CPU (user and system) each process under `root` has used, by "name:pid". */
async function cpuSecondsUnder(root: number): Promise<Map<string, number>> {
  const processes = new Map<number, { parent: number; name: string; seconds: number }>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => undefined);
    if (stat === undefined) continue;
    const end = stat.lastIndexOf(")");
    // After the name: state, ppid, ... utime and stime are the 12th and 13th fields, in clock ticks (100 a second).
    const fields = stat.slice(end + 2).split(" ");
    processes.set(Number(entry), { parent: Number(fields[1]), name: stat.slice(stat.indexOf("(") + 1, end), seconds: (Number(fields[11]) + Number(fields[12])) / 100 });
  }
  const under = new Map<string, number>();
  for (const [pid, { name, seconds }] of processes) {
    let ancestor: number | undefined = pid;
    while (ancestor !== undefined && ancestor !== root && ancestor > 1) ancestor = processes.get(ancestor)?.parent;
    if (ancestor === root) under.set(`${name}:${pid}`, seconds);
  }
  return under;
}

/** What `work` returns, with a CPU profile of the Worker's isolate while it ran written to `file`. */
async function profiled<T>(work: () => Promise<T>, file: string): Promise<T> {
  const inspector = await WorkerInspector.attach(inspectorPort);
  try {
    const { result, profile } = await inspector.profile(work, SAMPLING_US);
    await writeFile(file, JSON.stringify(profile));
    return result;
  } finally {
    inspector.close();
  }
}

const dir = await tempDir("jetson-ingest-");
const inspectorPort = await freePort();
const worker = new LocalWorker({
  port: await freePort(),
  operatorToken: randomBytes(24).toString("base64url"),
  persistDir: path.join(dir, "state"),
  vars: LIFTED_RATE_LIMITS,
  inspectorPort,
});
await worker.start();
try {
  await worker.createFleet("local");
  const wrangler = worker.pid;
  if (wrangler === undefined) throw new Error("wrangler dev has no process id");
  const before = await cpuSecondsUnder(wrangler);
  const bench = () => benchTelemetryIngest(worker, path.join(dir, "mosquitto"), MESSAGES);
  const result = PROFILE ? await profiled(bench, PROFILE) : await bench();
  const after = await cpuSecondsUnder(wrangler);
  // Both batch sizes' messages, and what else the run asks of workerd (provisioning, counting what was stored).
  const workerdSeconds = [...after].filter(([name]) => name.startsWith("workerd:")).reduce((sum, [name, seconds]) => sum + seconds - (before.get(name) ?? 0), 0);
  console.log(JSON.stringify({ ...result, "workerd CPU per message (ms, both batch sizes)": round((workerdSeconds * 1000) / (2 * MESSAGES), 3) }, null, 2));
} finally {
  await worker.stop();
  await rm(dir, { recursive: true, force: true });
}
