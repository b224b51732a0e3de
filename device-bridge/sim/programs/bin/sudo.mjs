#!/usr/bin/env node
// Stand-in for sudo -n [--] COMMAND [ARG...]: runs COMMAND when the board's sudoers files
// (/etc/sudoers and /etc/sudoers.d/*, skipping names with "." or ending in "~", as sudo does) give
// the calling user NOPASSWD for it (sudo-rules.mjs: as sudo matches); otherwise answers as `sudo -n`
// does. sudo -l -U USER COMMAND [ARG...] says, as sudo does, whether USER may run it: the command
// and exit 0, or nothing and exit 1.
// COMMAND runs as the calling user: the simulated tree belongs to whoever made it, there is no root
// to become. A name without "/" is looked up in the board's folders, then in sudo's secure_path.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import { findUser, loadUsers } from "../lib/jetson-sim/accounts.mjs";
import { fail, onHost, readText, startProgram } from "../lib/jetson-sim/runtime.mjs";
import { decide } from "../lib/jetson-sim/sudo-rules.mjs";

const SECURE_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
const { root, args } = startProgram(import.meta.url, "sudo");

let i = 0;
let nonInteractive = false;
let list = false;
let listUser;
for (; i < args.length && args[i].startsWith("-"); i++) {
  if (args[i] === "--") {
    i++;
    break;
  }
  if (args[i] === "-n" || args[i] === "--non-interactive") nonInteractive = true;
  else if (args[i] === "-l" || args[i] === "--list") list = true;
  else if (args[i] === "-U" && i + 1 < args.length) listUser = args[++i];
  else fail(`sudo (simulated): only -n, -l, -U USER and -- are simulated, not ${args[i]}`);
}
const [command, ...commandArgs] = args.slice(i);
if (command === undefined) fail("usage: sudo -n [--] command [arg ...]");

const user = listUser ?? findUser(loadUsers(root), String(process.getuid()))?.name ?? userInfo().username;
const program = command.includes("/") ? (existsSync(command) ? command : undefined) : locate(command);
if (program === undefined) fail(`sudo: ${command}: command not found`);
const verdict = decide(sudoersTexts(), user, program, commandArgs);
if (list) {
  if (verdict.allowed) process.stdout.write(`${[program, ...commandArgs].join(" ")}\n`);
  process.exit(verdict.allowed ? 0 : 1);
}
if (!verdict.nopasswd) {
  fail(nonInteractive ? "sudo: a password is required" : "sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper");
}
const result = spawnSync(program, commandArgs, { stdio: "inherit" });
process.exitCode = result.status ?? 1;

function locate(name) {
  const candidates = [...SECURE_PATH.map((dir) => onHost(root, path.posix.join(dir, name))), ...SECURE_PATH.map((dir) => path.join(dir, name))];
  return candidates.find((candidate) => existsSync(candidate));
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
