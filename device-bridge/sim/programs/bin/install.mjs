#!/usr/bin/env node
// Stand-in for coreutils install [-D] [-m MODE] [-o OWNER] [-g GROUP] SOURCE DEST, SOURCE... DIRECTORY
// and install -d [-m MODE] DIRECTORY... on the simulated board's files. SOURCE may be /dev/stdin.
// The destination is replaced in one step (written aside, then renamed), with the mode set on the
// host file. OWNER and GROUP must exist on the board; the files are not chowned (the simulation
// runs as whoever built it).
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { findGroup, findUser, loadGroups, loadUsers } from "../lib/jetson-sim/accounts.mjs";
import { getopt } from "../lib/jetson-sim/getopt.mjs";
import { fail, onHost, resolveMachinePath, startProgram, strerror } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "install");
const usage = (message) => fail(`install: ${message}\nTry 'install --help' for more information.`);
const parsed = getopt(args, "Ddm:o:g:", { directory: "d", mode: "m", owner: "o", group: "g" });
if (parsed.error) usage(parsed.error);
const { options, operands } = parsed;

const modeText = options.get("m") ?? "0755";
if (!/^[0-7]{1,4}$/.test(modeText)) fail(`install (simulated): only octal modes such as 0644 are supported, not ‘${modeText}’`);
const mode = Number.parseInt(modeText, 8);
if (options.has("o") && !findUser(loadUsers(root), options.get("o"))) fail(`install: invalid user ‘${options.get("o")}’`);
if (options.has("g") && !findGroup(loadGroups(root), options.get("g"))) fail(`install: invalid group ‘${options.get("g")}’`);

const host = (file) => onHost(root, resolveMachinePath(file));
const isDirectory = (file) => statSync(host(file), { throwIfNoEntry: false })?.isDirectory() ?? false;
let code = 0;
const report = (message) => {
  process.stderr.write(`install: ${message}\n`);
  code = 1;
};

if (options.has("d")) {
  if (operands.length === 0) usage("missing file operand");
  for (const dir of operands) {
    attempt(() => {
      mkdirSync(host(dir), { recursive: true });
      chmodSync(host(dir), mode);
    }, `cannot create directory '${dir}'`);
  }
} else {
  if (operands.length === 0) usage("missing file operand");
  if (operands.length === 1) usage(`missing destination file operand after '${operands[0]}'`);
  const sources = operands.slice(0, -1);
  const target = operands.at(-1);
  const intoDirectory = sources.length > 1 || isDirectory(target);
  if (sources.length > 1 && !isDirectory(target)) fail(`install: target '${target}' is not a directory`);
  if (options.has("D") && !intoDirectory) {
    const parent = path.posix.dirname(target);
    try {
      mkdirSync(host(parent), { recursive: true });
    } catch (error) {
      fail(`install: cannot create directory '${parent}': ${strerror(error)}`);
    }
  }
  for (const source of sources) {
    const dest = intoDirectory ? path.posix.join(target, path.posix.basename(source)) : target;
    const content = attempt(() => readFileSync(source === "/dev/stdin" ? 0 : host(source)), `cannot stat '${source}'`);
    if (content !== undefined) attempt(() => replace(host(dest), content), `cannot create regular file '${dest}'`);
  }
}
process.exitCode = code;

/** Runs `step`; a file-system error is reported as "<what>: <strerror>" and the next operand is tried. */
function attempt(step, what) {
  try {
    return step();
  } catch (error) {
    report(`${what}: ${strerror(error)}`);
    return undefined;
  }
}

function replace(file, content) {
  const aside = path.join(path.dirname(file), `.${path.basename(file)}.install-${process.pid}`);
  writeFileSync(aside, content);
  chmodSync(aside, mode);
  renameSync(aside, file);
}
