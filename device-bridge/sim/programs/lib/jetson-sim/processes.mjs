// The simulated board's processes: the kernel's and init's, each running unit's main process, and a
// user's inference job. The bridge that runs the stand-ins appears too, with its real PID.
import { unitTable } from "./units.mjs";

/** Processes outside any unit; `ignoresTerm` ends only on SIGKILL. RSS as a share of memory. */
const OTHERS = [
  { pid: 1, ppid: 0, user: "root", comm: "systemd", cpu: 0.1, rss: 12_800 },
  { pid: 2, ppid: 0, user: "root", comm: "kthreadd", cpu: 0.0, rss: 0 },
  { pid: 2210, ppid: 1, user: "nvidia", comm: "python3", cpu: 143, memShare: 0.3 },
  { pid: 2290, ppid: 2210, user: "nvidia", comm: "gst-launch-1.0", cpu: 38.5, memShare: 0.05 },
  { pid: 3120, ppid: 1, user: "nvidia", comm: "stuck-worker", cpu: 0.0, rss: 1_024, ignoresTerm: true },
];

/**
 * Every process now, minus those killed. `caller` is the stand-in's own PID and `bridge` its parent's
 * (the bridge): both real, so a test can see the bridge protect itself.
 */
export function processList(board, admin, caller, bridge) {
  const fromUnits = unitTable(board)
    .filter((unit) => unit.pid !== undefined && admin.units[unit.name]?.sub === "running")
    .map((unit) => ({ pid: unit.pid, ppid: 1, user: unit.user, comm: unit.comm, cpu: unit.cpu, rss: unit.rss, unit: unit.name }));
  const others = OTHERS.map((p) => ({ ...p, rss: p.rss ?? Math.round(board.memTotalKB * p.memShare) }));
  const real = [
    { pid: bridge, ppid: 1, user: "jetson-bridge", comm: "node", cpu: 1.2, rss: 61_440 },
    { pid: caller, ppid: bridge, user: "jetson-bridge", comm: "ps", cpu: 0.0, rss: 3_200 },
  ];
  const simulated = [...others, ...fromUnits].filter((p) => !admin.killed.includes(p.pid) && p.pid !== bridge && p.pid !== caller);
  return [...simulated, ...real].map((p) => ({ ...p, mem: Math.round((p.rss / board.memTotalKB) * 1000) / 10 }));
}

/** The simulated process with this PID, if it runs (the bridge and the stand-ins are real and never returned). */
export function simulatedProcess(board, admin, pid) {
  return processList(board, admin, -1, -2).find((p) => p.pid === pid && p.pid > 0);
}
