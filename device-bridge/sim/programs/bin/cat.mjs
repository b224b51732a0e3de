#!/usr/bin/env node
// Stand-in for coreutils cat [FILE...] on the simulated board's files ("-" or no file: standard
// input), without options. A file it cannot read is reported and skipped; cat then exits 1.
import { readFileSync } from "node:fs";
import { getopt } from "../lib/jetson-sim/getopt.mjs";
import { fail, onHost, resolveMachinePath, startProgram, strerror } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "cat");
const parsed = getopt(args, "");
if (parsed.error) fail(`cat: ${parsed.error}\nTry 'cat --help' for more information.`);
const files = parsed.operands;

let code = 0;
for (const file of files.length ? files : ["-"]) {
  try {
    process.stdout.write(readFileSync(file === "-" ? 0 : onHost(root, resolveMachinePath(file))));
  } catch (error) {
    process.stderr.write(`cat: ${file}: ${strerror(error)}\n`);
    code = 1;
  }
}
process.exitCode = code;
