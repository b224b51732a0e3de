#!/usr/bin/env node
// Stand-in for GNU du [-0] -x -B1 --max-depth=N [--] PATH over the simulated board's folder tree: folders
// innermost first, root-only folders reported as unreadable (exit 1), other filesystems skipped (-x),
// and one folder of many small files that takes seconds to walk.
import { blocks, folderAt } from "../lib/jetson-sim/disk.mjs";
import { loadSpec, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "du");
let depth = Infinity;
let oneFilesystem = false;
let end = "\n";
const paths = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === "--") {
    paths.push(...args.slice(i + 1));
    break;
  }
  if (arg.startsWith("--max-depth=")) depth = Number(arg.slice("--max-depth=".length));
  else if (arg === "-x") oneFilesystem = true;
  else if (arg === "-0") end = "\0";
  else if (arg !== "-B1") fail(`du (simulated): unsupported option ${arg}`);
}
if (paths.length !== 1) fail("du (simulated): give exactly one path");
const [start] = paths;
const { board } = loadSpec(root);
const folder = folderAt(board, start);
if (!folder) {
  process.stderr.write(`du: cannot access '${start}': No such file or directory\n`);
  process.exit(1);
}
let denied = false;
await visit(folder, start, 0);
process.exitCode = denied ? 1 : 0;

/** Prints the folders down to `depth`, innermost first, and returns the folder's total. */
async function visit(node, path, level) {
  if (node.slowMs) await new Promise((resolve) => setTimeout(resolve, node.slowMs));
  let total = blocks(node.own);
  if (node.denied) {
    denied = true;
    process.stderr.write(`du: cannot read directory '${path}': Permission denied\n`);
    total = 4096;
  } else {
    for (const [name, child] of Object.entries(node.children ?? {})) {
      if (child.mount && oneFilesystem) continue;
      total += await visit(child, path === "/" ? `/${name}` : `${path}/${name}`, level + 1);
    }
  }
  if (level <= depth) process.stdout.write(`${total}\t${path}${end}`);
  return total;
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
