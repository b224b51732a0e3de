#!/usr/bin/env node
// Stand-in for tegrastats: one line per interval in the board's real format, until killed.
import { refresh } from "../lib/jetson-sim/machine.mjs";
import {
  railMilliwatts,
  readCpus,
  readCpuTimes,
  readEmc,
  readGpu,
  readMeminfo,
  readTemps,
} from "../lib/jetson-sim/readings.mjs";
import { loadSpec, loadState, readNumber, startProgram } from "../lib/jetson-sim/runtime.mjs";

const USAGE = `Usage: tegrastats [-option]
Options:
    --help                  : print this help screen
    --interval <millisec>   : sample the information in <milliseconds>
`;
const OFFLINE_MC = -256000;
const ENGINE_CLOCK_DIR = "/sys/kernel/debug/clk";
// Without root tegrastats cannot read debugfs: no EMC, no GPU clock, no engines (orin-nano-2.txt); JetPack 4
// and 5 print "EMC_FREQ 0%" in the EMC's place.
const asRoot = process.geteuid() === 0;

const { root, args } = startProgram(import.meta.url, "tegrastats");
if (args.length === 1 && args[0] === "--help") {
  process.stdout.write(USAGE);
  process.exit(0);
}
const interval = args.length === 0 ? 1000 : args[0] === "--interval" && args.length === 2 ? Number(args[1]) : Number.NaN;
if (!Number.isInteger(interval) || interval <= 0) {
  process.stderr.write(USAGE);
  process.exit(1);
}

const spec = loadSpec(root);
// Rail averages run over the samples this process printed, as the real tool's do.
const railSums = spec.layout.rails.map(() => 0);
let samples = 0;
advance();
let before = readCpuTimes(root);
setInterval(() => {
  advance();
  const after = readCpuTimes(root);
  samples += 1;
  process.stdout.write(`${statsLine(before, after)}\n`);
  before = after;
}, interval);

function statsLine(before, after) {
  const { board, generation, layout } = spec;
  const format = generation.tegrastats;
  const mem = readMeminfo(root);
  const mb = (kB) => Math.floor(kB / 1024);
  const total = mem.get("MemTotal");
  const free = mem.get("MemFree");
  const used = total - free - mem.get("Buffers") - mem.get("Cached");
  const swapTotal = mem.get("SwapTotal");
  const parts = format.datePrefix ? [timestamp(new Date())] : [];
  parts.push(`RAM ${mb(used)}/${mb(total)}MB (lfb ${Math.max(1, Math.floor(mb(free) / 16))}x4MB)`);
  parts.push(`SWAP ${mb(swapTotal - mem.get("SwapFree"))}/${mb(swapTotal)}MB (cached ${mb(mem.get("SwapCached"))}MB)`);
  if (board.tegrastats.iram) parts.push(board.tegrastats.iram);
  const cpus = readCpus(root, layout).map((c) => (c.online ? `${busyPercent(before, after, c.cpu)}%@${Math.floor(c.curKHz / 1000)}` : "off"));
  parts.push(`CPU [${cpus.join(",")}]`);
  const gpu = readGpu(root, layout);
  // Thor's GPU (open RM) keeps its load in NVML: tegrastats prints its clocks only (agx-thor-1.txt).
  const gpuLoad = board.gpu.openRm ? "" : `${gpu.loadPct}%`;
  if (asRoot) {
    const emc = readEmc(root, spec, loadState(root));
    parts.push(`EMC_FREQ ${emc.utilPct}%@${Math.floor(emc.curHz / 1e6)}`);
    const gpuMhz = Math.floor(gpu.curHz / 1e6);
    const gpuFreq = format.gpuFreqList ? `[${Array(board.gpu.gpcs).fill(gpuMhz).join(",")}]` : gpuMhz;
    parts.push(`GR3D_FREQ ${gpuLoad}@${gpuFreq}`, ...board.tegrastats.engines.map(engineField));
  } else {
    if (format.emcPlaceholder) parts.push("EMC_FREQ 0%");
    if (gpuLoad) parts.push(`GR3D_FREQ ${gpuLoad}`);
  }
  const temps = readTemps(root, layout);
  for (const label of board.tegrastats.tempOrder) {
    const mC = temps.get(label);
    if (mC === OFFLINE_MC && format.omitOfflineTemps) continue;
    parts.push(`${label}@${Number((mC / 1000).toFixed(3))}C`);
  }
  const unit = format.railUnit;
  layout.rails.forEach((rail, i) => {
    if (rail.hiddenFromTegrastats) return;
    const mW = railMilliwatts(root, rail);
    railSums[i] += mW;
    parts.push(`${rail.label} ${mW}${unit}/${Math.round(railSums[i] / samples)}${unit}`);
  });
  return parts.join(" ");
}

// APE 174, NVENC off: the clock's rate while it is enabled.
function engineField({ label, clock }) {
  const dir = `${ENGINE_CLOCK_DIR}/${clock}`;
  const on = readNumber(root, `${dir}/clk_enable_count`) > 0;
  return `${label} ${on ? Math.floor(readNumber(root, `${dir}/clk_rate`) / 1e6) : "off"}`;
}

// Moving the simulated machine on is the simulation's work, not the tool's: a login that may not
// write the tree (not root on a board built by root) reads it as it stands.
function advance() {
  try {
    refresh(root);
  } catch (error) {
    if (error.code !== "EACCES" && error.code !== "EPERM") throw error;
  }
}

function busyPercent(before, after, cpu) {
  const [busy0, total0] = before.get(cpu) ?? [0, 0];
  const [busy1, total1] = after.get(cpu) ?? [busy0, total0];
  return total1 > total0 ? Math.round((100 * (busy1 - busy0)) / (total1 - total0)) : 0;
}

// "09-19-2026 13:33:02", local time
function timestamp(d) {
  const two = (n) => String(n).padStart(2, "0");
  return `${two(d.getMonth() + 1)}-${two(d.getDate())}-${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
