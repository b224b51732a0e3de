import type { HostPort } from "../host/port.js";
import { parseCpuList } from "./proc.js";
import { readInt, readWord } from "./sysfs.js";

const CPU_ROOT = "/sys/devices/system/cpu";
const CORE_LINE = /^cpu(\d+)\s+(.*)$/gm;

/** Jiffies a core spent busy and in total since boot. */
export interface CpuTimes {
  busy: number;
  total: number;
}

/** Per-core times from /proc/stat; idle and iowait count as not busy. */
export function parseCpuTimes(stat: string): Map<number, CpuTimes> {
  const times = new Map<number, CpuTimes>();
  for (const [, cpu, rest] of stat.matchAll(CORE_LINE)) {
    // user nice system idle iowait irq softirq steal: guest time is already inside user.
    const values = (rest ?? "").trim().split(/\s+/).slice(0, 8).map(Number);
    const total = values.reduce((sum, v) => sum + v, 0);
    times.set(Number(cpu), { busy: total - (values[3] ?? 0) - (values[4] ?? 0), total });
  }
  return times;
}

/** Busy share between two readings in %; undefined when no time passed for the core. */
export function loadBetween(before: CpuTimes | undefined, after: CpuTimes | undefined): number | undefined {
  if (!before || !after || after.total <= before.total) return undefined;
  return Math.round((100 * (after.busy - before.busy)) / (after.total - before.total));
}

export interface CoreState {
  cpu: number;
  online: boolean;
  freqMHz?: number;
}

/** Every present core: online (cpu0 often has no online file: it cannot go offline) and its current clock. */
export async function readCores(host: HostPort): Promise<CoreState[] | undefined> {
  const present = await readWord(host, `${CPU_ROOT}/present`);
  if (present === undefined) return undefined;
  return Promise.all(
    parseCpuList(present).map(async (cpu) => {
      const online = (await readInt(host, `${CPU_ROOT}/cpu${cpu}/online`)) !== 0;
      const kHz = online ? await readInt(host, `${CPU_ROOT}/cpu${cpu}/cpufreq/scaling_cur_freq`) : undefined;
      return kHz === undefined ? { cpu, online } : { cpu, online, freqMHz: Math.floor(kHz / 1000) };
    }),
  );
}
