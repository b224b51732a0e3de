// /proc/stat, /proc/uptime and /proc/meminfo of the simulated board, derived from its load.
import { loadCounters, saveCounters, writeText } from "./runtime.mjs";

const USER_HZ = 100;

/** Counters from zero at boot time `at`; the next refresh accounts for the time since. */
export function resetCounters(root, cpuCount, at) {
  const cpus = Array.from({ length: cpuCount }, () => ({ user: 0, system: 0, idle: 0 }));
  saveCounters(root, { at, cpus });
}

/** Online cores spend `load` of the time since the last refresh busy, the rest idle. */
export function writeProcFiles(root, spec, state, online) {
  const load = state.load / 100;
  const now = Date.now();
  const counters = loadCounters(root);
  const ticks = (Math.max(0, now - counters.at) * USER_HZ) / 1000;
  for (const cpu of online) {
    const c = counters.cpus[cpu];
    c.user += ticks * load * 0.85;
    c.system += ticks * load * 0.15;
    c.idle += ticks * (1 - load);
  }
  counters.at = now;
  saveCounters(root, counters);
  writeText(root, "/proc/stat", stat(counters, online, state, load));
  const idleSeconds = counters.cpus.reduce((sum, c) => sum + c.idle, 0) / USER_HZ;
  writeText(root, "/proc/uptime", `${((now - state.bootedAt) / 1000).toFixed(2)} ${idleSeconds.toFixed(2)}\n`);
  writeText(root, "/proc/meminfo", meminfo(spec, load));
}

// The "cpu" total covers every core that ever ran; per-core lines only the online ones, as the kernel prints them.
function stat(counters, online, state, load) {
  const line = (name, cs) => {
    const sum = (key) => Math.round(cs.reduce((total, c) => total + c[key], 0));
    return `${name} ${sum("user")} 0 ${sum("system")} ${sum("idle")} 0 0 0 0 0 0`;
  };
  const busy = counters.cpus.reduce((total, c) => total + c.user + c.system, 0);
  return [
    line("cpu ", counters.cpus),
    ...online.map((cpu) => line(`cpu${cpu}`, [counters.cpus[cpu]])),
    `ctxt ${Math.round(busy * 40)}`,
    `btime ${Math.floor(state.bootedAt / 1000)}`,
    `processes ${2000 + Math.round(busy / 10)}`,
    `procs_running ${1 + Math.round(load * online.length)}`,
    "procs_blocked 0",
    "",
  ].join("\n");
}

// Used memory (and the GPU's share, NvMapMemUsed) grows with the load.
function meminfo({ board, generation }, load) {
  const total = board.memTotalKB;
  const buffers = Math.round(total * 0.012);
  const cached = Math.round(total * 0.18);
  const used = Math.round(total * (0.25 + 0.35 * load));
  const free = total - used - buffers - cached;
  const fields = [
    ["MemTotal", total],
    ["MemFree", free],
    ["MemAvailable", free + buffers + Math.round(cached * 0.8)],
    ["Buffers", buffers],
    ["Cached", cached],
    ["SwapCached", 0],
    ["Active", Math.round(used * 0.6 + cached * 0.3)],
    ["Inactive", Math.round(cached * 0.7)],
    ["SwapTotal", board.swapTotalKB],
    ["SwapFree", board.swapTotalKB],
    ["Dirty", 0],
    ["AnonPages", Math.round(used * 0.5)],
    ["Shmem", Math.round(total * 0.005)],
    ["Slab", Math.round(total * 0.02)],
    ...(generation.meminfoNvMap
      ? [
          ["NvMapMemFree", 0],
          ["NvMapMemUsed", Math.round(total * (0.02 + 0.1 * load))],
        ]
      : []),
  ];
  return fields.map(([name, kB]) => `${`${name}:`.padEnd(16)}${String(kB).padStart(8)} kB\n`).join("");
}
