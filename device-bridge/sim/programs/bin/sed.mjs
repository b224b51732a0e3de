#!/usr/bin/env node
// Stand-in for GNU sed, as far as editing a file in place goes: sed -i [-E] -e SCRIPT FILE..., where
// SCRIPT is one or more s/REGEX/REPLACEMENT/ commands separated by ";" (POSIX classes such as
// [[:space:]], \1 in the replacement). Like sed -i, it writes a new file and renames it over the old.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { getopt } from "../lib/jetson-sim/getopt.mjs";
import { fail, onHost, resolveMachinePath, startProgram, strerror } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "sed");
const parsed = getopt(args, "iEe:", { "in-place": "i", "regexp-extended": "E", expression: "e" });
if (parsed.error) fail(`sed: ${parsed.error}\nUsage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...`);
if (!parsed.options.has("i") || !parsed.options.has("E")) fail("sed (simulated): only sed -i -E is simulated");
const script = parsed.options.get("e");
if (typeof script !== "string" || parsed.operands.length === 0) fail("sed (simulated): give -e SCRIPT and a file");

const POSIX_CLASSES = { "[:space:]": "\\s", "[:digit:]": "0-9", "[:alpha:]": "A-Za-z" };
const commands = script.split(";").map((command) => {
  const m = /^s\/((?:[^/\\]|\\.)*)\/((?:[^/\\]|\\.)*)\/$/.exec(command);
  if (!m) fail(`sed: -e expression #1, char ${command.length}: unknown command: \`${command[0] ?? ""}'`);
  const regex = m[1].replace(/\[:[a-z]+:\]/g, (cls) => POSIX_CLASSES[cls] ?? cls);
  return { regex: new RegExp(regex, "m"), replacement: m[2].replace(/\\(\d)/g, "$$$1") };
});

let code = 0;
for (const file of parsed.operands) {
  const target = onHost(root, resolveMachinePath(file));
  let text;
  try {
    text = readFileSync(target, "utf8");
  } catch (error) {
    process.stderr.write(`sed: can't read ${file}: ${strerror(error)}\n`);
    code = 2;
    continue;
  }
  // Line by line, as sed reads: each command applies once per line.
  const edited = text
    .split("\n")
    .map((line) => commands.reduce((out, { regex, replacement }) => out.replace(regex, replacement), line))
    .join("\n");
  writeFileSync(`${target}.sedtmp`, edited);
  renameSync(`${target}.sedtmp`, target);
}
process.exitCode = code;
