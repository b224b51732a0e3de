#!/usr/bin/env node
// Stand-in for procps ps -e -o COLUMNS [--sort=[-]KEY]: the simulated processes (units that run,
// the user's inference job), the bridge that started this program and this program itself.
import { loadAdmin } from "../lib/jetson-sim/admin.mjs";
import { processList } from "../lib/jetson-sim/processes.mjs";
import { loadSpec, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "ps");
/** Column -> [header, value, right-aligned]. */
const COLUMNS = {
  pid: ["PID", (p) => p.pid, true],
  ppid: ["PPID", (p) => p.ppid, true],
  user: ["USER", (p) => p.user, false],
  pcpu: ["%CPU", (p) => (p.cpu >= 100 ? Math.round(p.cpu) : p.cpu.toFixed(1)), true],
  pmem: ["%MEM", (p) => p.mem.toFixed(1), true],
  rss: ["RSS", (p) => p.rss, true],
  comm: ["COMMAND", (p) => p.comm, false],
};
const SORT_KEYS = { pcpu: (p) => p.cpu, pmem: (p) => p.mem, rss: (p) => p.rss, pid: (p) => p.pid };

let all = false;
let format;
let sort;
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === "-e" || arg === "-A") all = true;
  else if (arg === "-eo") {
    all = true;
    format = args[++i];
  }
  else if (arg === "-o") format = args[++i];
  else if (arg.startsWith("--sort=")) sort = arg.slice("--sort=".length);
  else fail(`error: unsupported option (simulated ps): ${arg}`);
}
if (!all || !format) fail("ps (simulated): only ps -e -o COLUMNS [--sort=KEY] is supported");
const columns = format.split(",").map((spec) => {
  const [name, width] = spec.split(":");
  if (!COLUMNS[name]) fail(`error: unknown user-defined format specifier "${name}"`);
  return { name, width: width === undefined ? undefined : Number(width) };
});

const { board } = loadSpec(root);
const processes = processList(board, loadAdmin(root), process.pid, process.ppid);
if (sort) {
  const descending = sort.startsWith("-");
  const key = SORT_KEYS[sort.replace(/^[-+]/, "")] ?? fail(`error: unknown sort specifier "${sort}"`);
  processes.sort((a, b) => (descending ? key(b) - key(a) : key(a) - key(b)));
}
const rows = [columns.map(({ name }) => COLUMNS[name][0]), ...processes.map((p) => columns.map(({ name }) => String(COLUMNS[name][1](p))))];
const widths = columns.map((column, i) => column.width ?? Math.max(...rows.map((r) => r[i].length)));
for (const row of rows) {
  const cells = row.map((cell, i) => {
    if (i === row.length - 1) return cell;
    return COLUMNS[columns[i].name][2] ? cell.padStart(widths[i]) : cell.slice(0, widths[i]).padEnd(widths[i]);
  });
  process.stdout.write(`${cells.join(" ")}\n`);
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
