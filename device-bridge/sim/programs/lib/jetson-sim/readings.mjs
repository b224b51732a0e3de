// What tegrastats and jetson_clocks --show report, read back from the simulated sysfs and /proc
// (so values the bridge writes, such as a fan PWM or a clock limit, show up as on a board).
import { allCpus, cpuDir, isOnline } from "./kernel.mjs";
import { readNumber, readText } from "./runtime.mjs";

export function readCpus(root, layout) {
  return allCpus(layout).map((cpu) => {
    const dir = `${cpuDir(cpu)}/cpufreq`;
    return {
      cpu,
      online: isOnline(root, cpu),
      governor: readText(root, `${dir}/scaling_governor`).trim(),
      minKHz: readNumber(root, `${dir}/scaling_min_freq`),
      maxKHz: readNumber(root, `${dir}/scaling_max_freq`),
      curKHz: readNumber(root, `${dir}/scaling_cur_freq`),
    };
  });
}

export function readGpu(root, layout) {
  const dir = layout.gpu.devfreqDir;
  return {
    minHz: readNumber(root, `${dir}/min_freq`),
    maxHz: readNumber(root, `${dir}/max_freq`),
    curHz: readNumber(root, `${dir}/cur_freq`),
    loadPct: Math.round(readNumber(root, layout.gpu.loadFile) / 10),
  };
}

/** EMC is not in sysfs (debugfs, root only): its clock follows nvpmodel's cap, the lock and the load. */
export function readEmc(root, { board, layout }, state) {
  const cap = readNumber(root, layout.emcCapFile);
  const maxHz = cap > 0 ? Math.min(cap, board.emc.maxHz) : board.emc.maxHz;
  const busy = state.load > 50;
  return {
    minHz: board.emc.minHz,
    maxHz,
    curHz: state.clocksLocked || busy ? maxHz : Math.min(board.emc.idleHz, maxHz),
    utilPct: Math.round(2 + 0.45 * state.load),
  };
}

/** m°C by tegrastats label: the zone type up to its first "-" (CPU-therm -> CPU, thermal-fan-est -> thermal). */
export function readTemps(root, layout) {
  return new Map(layout.thermalZones.map((zone) => [zone.type.split("-")[0], readNumber(root, `${zone.dir}/temp`)]));
}

/** mW of a rail: the iio driver reports it, hwmon gives mV and mA. */
export function railMilliwatts(root, rail) {
  if (rail.powerFile) return readNumber(root, rail.powerFile);
  return Math.floor((readNumber(root, rail.voltageFile) * readNumber(root, rail.currentFile)) / 1000);
}

/** /proc/meminfo values in kB by field name. */
export function readMeminfo(root) {
  const fields = new Map();
  for (const match of readText(root, "/proc/meminfo").matchAll(/^(\w+):\s+(\d+) kB$/gm)) {
    fields.set(match[1], Number(match[2]));
  }
  return fields;
}

/** Per-core [busy, total] jiffies from /proc/stat, for loads over an interval. */
export function readCpuTimes(root) {
  const times = new Map();
  for (const match of readText(root, "/proc/stat").matchAll(/^cpu(\d+) (.*)$/gm)) {
    const values = match[2].split(" ").map(Number);
    const total = values.reduce((sum, v) => sum + v, 0);
    times.set(Number(match[1]), [total - values[3] - values[4], total]);
  }
  return times;
}
