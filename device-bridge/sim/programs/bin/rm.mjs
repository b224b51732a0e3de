#!/usr/bin/env node
// Stand-in for coreutils rm [-f] FILE... on the simulated board's files (no folders: no -r).
// -f: a missing file is no error.
import { rmSync } from "node:fs";
import { getopt } from "../lib/jetson-sim/getopt.mjs";
import { fail, onHost, resolveMachinePath, startProgram, strerror } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "rm");
const parsed = getopt(args, "f", { force: "f" });
if (parsed.error) fail(`rm: ${parsed.error}\nTry 'rm --help' for more information.`);
const force = parsed.options.has("f");
if (parsed.operands.length === 0 && !force) fail("rm: missing operand\nTry 'rm --help' for more information.");

let code = 0;
for (const file of parsed.operands) {
  try {
    rmSync(onHost(root, resolveMachinePath(file)));
  } catch (error) {
    if (force && error.code === "ENOENT") continue;
    process.stderr.write(`rm: cannot remove '${file}': ${strerror(error)}\n`);
    code = 1;
  }
}
process.exitCode = code;
