#!/usr/bin/env node
// Stand-in for apt-cache policy [--] NAME...: for each name, a block per package apt takes it for
// (the package of that exact name, else a regular expression's matches), headed "name:", with the
// installed and candidate versions; a name that names nothing prints nothing, as apt-cache does.
import { loadAdmin } from "../lib/jetson-sim/admin.mjs";
import { archive, candidate, packagesNamed } from "../lib/jetson-sim/packages.mjs";
import { fail, loadSpec, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "apt-cache");
const [command, ...rest] = args;
if (command !== "policy") fail(`apt-cache (simulated): only "apt-cache policy NAME..." is supported, not: ${args.join(" ")}`);
const names = rest[0] === "--" ? rest.slice(1) : rest;
const { board } = loadSpec(root);
const admin = loadAdmin(root);
const packages = archive(board);
for (const name of names) {
  for (const match of packagesNamed(packages, name)) {
    const installed = admin.dpkg[match]?.status === "ii " ? admin.dpkg[match].version : "(none)";
    const version = candidate(packages[match], admin);
    process.stdout.write(`${match}:\n  Installed: ${installed}\n  Candidate: ${version}\n  Version table:\n     ${version} 500\n`);
  }
}
