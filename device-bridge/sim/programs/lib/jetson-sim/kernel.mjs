// What the kernel does when a sysfs clock file is written, and the CPU list format it uses.
import path from "node:path";
import { readList, readNumber, readText, writeNumber } from "./runtime.mjs";

export const CPU_ROOT = "/sys/devices/system/cpu";

export function cpuDir(cpu) {
  return `${CPU_ROOT}/cpu${cpu}`;
}

export function allCpus(layout) {
  return Array.from({ length: layout.cpuCount }, (_, cpu) => cpu);
}

export function isOnline(root, cpu) {
  return readText(root, `${cpuDir(cpu)}/online`).trim() === "1";
}

const LIMIT_FILE = /^(scaling_)?(min|max)_freq$/;
const CPUFREQ_DIR = /^\/sys\/devices\/system\/cpu\/cpu(\d+)\/cpufreq$/;

/**
 * Writes a cpufreq (scaling_min/max_freq) or devfreq (min/max_freq) limit as the kernel
 * takes it: bounded by the clock table, applied to every core sharing the cluster's
 * policy, and with min lowered to max when they cross.
 */
export function writeFreqLimit(root, board, file, value) {
  const dir = path.posix.dirname(file);
  const match = LIMIT_FILE.exec(path.posix.basename(file));
  if (!match) throw new Error(`not a frequency limit: ${file}`);
  const prefix = match[1] ?? "";
  const table = readList(root, `${dir}/${prefix}available_frequencies`);
  const bounded = Math.min(Math.max(value, table[0]), table.at(-1));
  for (const policyDir of policyDirs(board, dir)) {
    writeNumber(root, `${policyDir}/${prefix}${match[2]}_freq`, bounded);
    const max = readNumber(root, `${policyDir}/${prefix}max_freq`);
    if (readNumber(root, `${policyDir}/${prefix}min_freq`) > max) writeNumber(root, `${policyDir}/${prefix}min_freq`, max);
  }
}

function policyDirs(board, dir) {
  const cpu = CPUFREQ_DIR.exec(dir)?.[1];
  if (cpu === undefined) return [dir];
  const cluster = board.cpu.clusters.find((c) => c.cpus.includes(Number(cpu)));
  return cluster.cpus.map((c) => `${cpuDir(c)}/cpufreq`);
}

/** The frequency a governor settles on: the highest table entry in [min, max] up to the load's share of the range. */
export function pickFrequency(table, min, max, fraction) {
  const allowed = table.filter((f) => f >= min && f <= max);
  if (allowed.length === 0) return max;
  const target = min + (max - min) * fraction;
  return allowed.filter((f) => f <= target).at(-1) ?? allowed[0];
}

/** [0, 1, 2, 3, 8] -> "0-3,8", as in /sys/devices/system/cpu/online. */
export function formatCpuList(cpus) {
  const runs = [];
  for (const cpu of cpus) {
    const run = runs.at(-1);
    if (run && run[1] === cpu - 1) run[1] = cpu;
    else runs.push([cpu, cpu]);
  }
  return runs.map(([from, to]) => (from === to ? `${from}` : `${from}-${to}`)).join(",");
}
