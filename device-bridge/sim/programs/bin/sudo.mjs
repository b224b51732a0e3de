#!/usr/bin/env node
// Stand-in for sudo -n [--] COMMAND [ARG...]: runs COMMAND when the board's sudoers files
// (/etc/sudoers and /etc/sudoers.d/*, skipping names with "." or ending in "~", as sudo does) give
// the calling user NOPASSWD for ALL or for that exact command; otherwise answers as `sudo -n` does.
// COMMAND runs as the calling user: the simulated tree belongs to whoever made it, there is no root
// to become. A name without "/" is looked up in the board's folders, then in sudo's secure_path.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import { findUser, loadUsers } from "../lib/jetson-sim/accounts.mjs";
import { fail, onHost, readText, startProgram } from "../lib/jetson-sim/runtime.mjs";

const SECURE_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
const { root, args } = startProgram(import.meta.url, "sudo");

let i = 0;
let nonInteractive = false;
for (; i < args.length && args[i].startsWith("-"); i++) {
  if (args[i] === "--") {
    i++;
    break;
  }
  if (args[i] === "-n" || args[i] === "--non-interactive") nonInteractive = true;
  else fail(`sudo (simulated): only -n and -- are simulated, not ${args[i]}`);
}
const [command, ...commandArgs] = args.slice(i);
if (command === undefined) fail("usage: sudo -n [--] command [arg ...]");

const user = findUser(loadUsers(root), String(process.getuid()))?.name ?? userInfo().username;
const program = command.includes("/") ? command : locate(command);
if (program === undefined) fail(`sudo: ${command}: command not found`);
if (!allowed(user, program, commandArgs)) {
  fail(nonInteractive ? "sudo: a password is required" : "sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper");
}
const result = spawnSync(program, commandArgs, { stdio: "inherit" });
process.exitCode = result.status ?? 1;

function locate(name) {
  const candidates = [...SECURE_PATH.map((dir) => onHost(root, path.posix.join(dir, name))), ...SECURE_PATH.map((dir) => path.join(dir, name))];
  return candidates.find((candidate) => existsSync(candidate));
}

/** Whether a `USER ALL=(...) NOPASSWD: CMND` rule covers the command: ALL, the path alone (any arguments) or the path with exactly these arguments. */
function allowed(name, programPath, argv) {
  const wanted = [programPath, ...argv].join(" ");
  return sudoersTexts().some((text) =>
    text.split("\n").some((line) => {
      const m = /^(\S+)\s+ALL\s*=\s*(?:\([^)]*\)\s*)?NOPASSWD:\s*(.+)$/.exec(line.trim());
      if (!m || m[1] !== name) return false;
      return m[2].split(/\s*,\s*/).some((spec) => spec === "ALL" || spec === programPath || spec.replace(/\\(.)/g, "$1") === wanted);
    }),
  );
}

function sudoersTexts() {
  const texts = existsSync(onHost(root, "/etc/sudoers")) ? [readText(root, "/etc/sudoers")] : [];
  const dir = "/etc/sudoers.d";
  if (!existsSync(onHost(root, dir))) return texts;
  for (const file of readdirSync(onHost(root, dir))) {
    if (!file.includes(".") && !file.endsWith("~")) texts.push(readText(root, `${dir}/${file}`));
  }
  return texts;
}
