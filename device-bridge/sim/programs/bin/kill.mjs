#!/usr/bin/env node
// Stand-in for procps kill -s SIGNAL PID... (or -SIGNAL). It signals nothing real: a simulated process
// ends (ps no longer lists it) unless it ignores SIGTERM; a unit whose main process ends fails.
// Every other PID, the bridge's included, answers "No such process".
import { loadAdmin, logToJournal, saveAdmin } from "../lib/jetson-sim/admin.mjs";
import { systemd } from "../lib/jetson-sim/journal.mjs";
import { simulatedProcess } from "../lib/jetson-sim/processes.mjs";
import { loadSpec, startProgram } from "../lib/jetson-sim/runtime.mjs";

const { root, args } = startProgram(import.meta.url, "kill");
const SIGNALS = ["TERM", "KILL", "INT", "HUP"];
let signal = "TERM";
const pids = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === "-s") signal = (args[++i] ?? "").replace(/^SIG/, "");
  else if (/^-[A-Z]+$/.test(arg)) signal = arg.slice(1).replace(/^SIG/, "");
  else if (arg === "--") continue;
  else if (/^\d+$/.test(arg)) pids.push(Number(arg));
  else fail(`kill: failed to parse argument: '${arg}'`);
}
if (!SIGNALS.includes(signal)) fail(`kill: unknown signal name ${signal}`);
if (pids.length === 0) fail("kill: not enough arguments");

const { board } = loadSpec(root);
const admin = loadAdmin(root);
let code = 0;
for (const pid of pids) {
  const target = simulatedProcess(board, admin, pid);
  if (!target) {
    process.stderr.write(`kill: (${pid}): No such process\n`);
    code = 1;
    continue;
  }
  if (signal === "TERM" && target.ignoresTerm) continue;
  admin.killed.push(pid);
  if (target.unit) {
    admin.units[target.unit] = { active: "failed", sub: "failed", since: null, result: "signal", restarts: 0 };
    logToJournal(admin, [systemd(0, target.unit, `${target.unit}: Main process exited, code=killed, status=${signal === "KILL" ? 9 : 15}/${signal}`, 5)]);
  }
}
saveAdmin(root, admin);
process.exitCode = code;

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
