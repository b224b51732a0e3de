#!/usr/bin/env node
// Stand-in for apt, for `apt list --upgradable` only: the installed packages the lists offer a newer version of.
import { loadAdmin } from "../lib/jetson-sim/admin.mjs";
import { archive, candidate, origins, upgradable } from "../lib/jetson-sim/packages.mjs";
import { loadSpec, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "apt");
if (args[0] !== "list" || args[1] !== "--upgradable" || args.length !== 2) {
  process.stderr.write(`apt (simulated): only "apt list --upgradable" is supported, not: ${args.join(" ")}\n`);
  process.exit(1);
}
const { board } = loadSpec(root);
const admin = loadAdmin(root);
const packages = archive(board);
// apt warns on standard error whenever its output is not a terminal.
process.stderr.write("\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n");
process.stdout.write("Listing...\n");
for (const name of upgradable(board, admin)) {
  const pkg = packages[name];
  process.stdout.write(`${name}/${origins(board, pkg).join(",")} ${candidate(pkg, admin)} arm64 [upgradable from: ${admin.dpkg[name].version}]\n`);
}
