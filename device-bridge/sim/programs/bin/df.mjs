#!/usr/bin/env node
// Stand-in for GNU df -P -B1 -T: the simulated board's mounts; the root fills as packages are installed.
import { loadAdmin } from "../lib/jetson-sim/admin.mjs";
import { mounts, ownRootFilesystem } from "../lib/jetson-sim/disk.mjs";
import { loadSpec, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "df");
const wanted = ["-P", "-B1", "-T"];
if (args.length !== wanted.length || !wanted.every((a) => args.includes(a))) {
  process.stderr.write(`df (simulated): only "df -P -B1 -T" is supported, not: ${args.join(" ")}\n`);
  process.exit(1);
}
const rows = [["Filesystem", "Type", "1-blocks", "Used", "Available", "Capacity", "Mounted on"]];
for (const [filesystem, type, size, used, available, mountpoint] of mounts(loadSpec(root).board, loadAdmin(root), ownRootFilesystem(root))) {
  const capacity = size === 0 ? "-" : `${Math.ceil((used / (used + available)) * 100)}%`;
  rows.push([filesystem, type, String(size), String(used), String(available), capacity, mountpoint]);
}
// df pads the text columns on the right and the numbers on the left.
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const row of rows) {
  const cells = row.map((cell, i) => (i === row.length - 1 ? cell : i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])));
  process.stdout.write(`${cells.join(" ")}\n`);
}
