#!/usr/bin/env node
// Stand-in for visudo -c [-q] -f FILE (FILE "-": standard input): checks a sudoers text's syntax and
// says "<file>: parsed OK", or reports the first error and exits 1 as the board's sudo does: sudo 1.9
// (JetPack 6) names line and column and marks the token, sudo 1.8 (JetPack 4 and 5) names the line.
// Editing (visudo without -c) is not simulated.
import { readFileSync } from "node:fs";
import { getopt } from "../lib/jetson-sim/getopt.mjs";
import { fail, loadSpec, onHost, resolveMachinePath, startProgram, strerror } from "../lib/jetson-sim/runtime.mjs";
import { findSyntaxError } from "../lib/jetson-sim/sudoers.mjs";

const { root, args } = startProgram(import.meta.url, "visudo");
const parsed = getopt(args, "cf:qs", { check: "c", file: "f", quiet: "q", strict: "s" });
if (parsed.error) fail(`visudo: ${parsed.error}\nusage: visudo [-chqsV] [[-f] sudoers ]`);
const { options, operands } = parsed;
const file = options.get("f") ?? operands[0];
if (!options.has("c") || file === undefined) fail("visudo (simulated): only checking a given file is simulated: visudo -c -f FILE");
const quiet = options.has("q");

const name = file === "-" ? "stdin" : file;
let text;
try {
  text = readFileSync(file === "-" ? 0 : onHost(root, resolveMachinePath(file)), "utf8");
} catch (error) {
  fail(`visudo: unable to open ${name}: ${strerror(error)}`);
}

const error = findSyntaxError(text);
if (error === undefined) {
  if (!quiet) process.stdout.write(`${name}: parsed OK\n`);
} else {
  if (!quiet) report(error);
  process.exitCode = 1;
}

function report({ line, column, length }) {
  if (loadSpec(root).board.generation < 6) {
    process.stderr.write(`>>> ${name}: syntax error near line ${line} <<<\n`);
    process.stdout.write(`parse error in ${name} near line ${line}\n`);
    return;
  }
  const source = text.split("\n")[line - 1];
  process.stderr.write(`${name}:${line}:${column}: syntax error\n${source}\n${" ".repeat(column - 1)}^${"~".repeat(length - 1)}\n`);
}
