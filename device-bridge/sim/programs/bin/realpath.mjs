#!/usr/bin/env node
// Stand-in for coreutils realpath -m [--] PATH... on the simulated board: its folder tree has no
// symbolic links, so each path's canonical form is the path with `.`, `..` and repeated or
// trailing slashes removed, one line per path, whether it exists or not (-m).
import path from "node:path";
import { fail, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { args } = startProgram(import.meta.url, "realpath");
const paths = [];
let missingOk = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--") {
    paths.push(...args.slice(i + 1));
    break;
  }
  if (args[i] === "-m") missingOk = true;
  else if (args[i]?.startsWith("-")) fail(`realpath (simulated): unsupported option ${args[i]}`);
  else paths.push(args[i]);
}
if (!missingOk) fail("realpath (simulated): only -m is simulated");
if (paths.length === 0) fail("realpath: missing operand");
for (const item of paths) process.stdout.write(`${path.posix.resolve("/", item)}\n`);
