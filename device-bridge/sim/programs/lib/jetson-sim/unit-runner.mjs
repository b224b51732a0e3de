// Runs the ExecStart= of installed unit files (unit-files.mjs) as real processes, as systemd runs a
// Type=simple service: detached in a session of its own, standard input from /dev/null, standard
// output and error appended to /var/log/units/NAME.log. A supervisor (unit-supervisor.mjs) is the
// main process's parent and records its pid and how it ended in /var/lib/jetson-sim/units/NAME.json.
//
// Paths: the program is used as written when the host has it (a Node the operator named by its host
// path, or /usr/bin/node), else under the root; each absolute argument is mapped under the root when
// that exists there, so `/opt/app/main.mjs --config /etc/app.json` runs the files installed on the board.
// The process runs as the user who ran systemctl, with systemctl's environment plus Environment=:
// the simulation cannot honour User=.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { onHost } from "./runtime.mjs";
import { readUnitFile } from "./unit-files.mjs";

const STATE_DIR = "/var/lib/jetson-sim/units";
const LOG_DIR = "/var/log/units";
const SUPERVISOR = fileURLToPath(new URL("./unit-supervisor.mjs", import.meta.url));
/** How long systemctl waits for a start to be recorded, and for a stopped unit to end before SIGKILL. */
const START_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 5_000;

const stateFile = (root, name) => onHost(root, `${STATE_DIR}/${name}.json`);
const logFile = (root, name) => onHost(root, `${LOG_DIR}/${name}.log`);

function readState(root, name) {
  try {
    return JSON.parse(readFileSync(stateFile(root, name), "utf8"));
  } catch (error) {
    if (error.code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * The unit's state as systemctl shows it: { active, sub, result, since, mainPid }. Active while its
 * main process lives; after it ended, inactive if it exited 0, failed otherwise; inactive once stopped.
 */
export function runState(root, name) {
  const state = readState(root, name);
  if (state === undefined) return { active: "inactive", sub: "dead", result: "success", since: null, mainPid: 0 };
  const { exit, mainPid, since } = state;
  // A main process that just ended stays active until its supervisor has recorded how.
  if (exit === undefined && (isRunning(mainPid) || isRunning(state.supervisor))) return { active: "active", sub: "running", result: "success", since, mainPid };
  if (exit?.code === 0) return { active: "inactive", sub: "dead", result: "success", since: null, mainPid: 0 };
  return { active: "failed", sub: "failed", result: exit?.code > 0 ? "exit-code" : "signal", since: null, mainPid: 0 };
}

/** Starts the unit's ExecStart unless it runs; returns once its main process is started (or failed to start). */
export function startUnit(root, name, unit) {
  if (runState(root, name).active === "active") return;
  const [program, ...args] = unit.execStart;
  const argv = [existsSync(program) ? program : onHost(root, program), ...args.map((arg) => mapArgument(root, arg))];
  for (const dir of [STATE_DIR, LOG_DIR]) mkdirSync(onHost(root, dir), { recursive: true });
  rmSync(stateFile(root, name), { force: true });
  const log = openSync(logFile(root, name), "a");
  const supervisor = spawn(process.execPath, [SUPERVISOR, stateFile(root, name), program, JSON.stringify(argv)], {
    detached: true,
    stdio: ["ignore", log, log],
    env: { ...process.env, ...unit.environment },
    cwd: root,
  });
  supervisor.unref();
  closeSync(log);
  if (!waitFor(() => readState(root, name) !== undefined, START_TIMEOUT_MS)) throw new Error(`${name}: the simulated service did not start`);
}

/** Stops the unit: SIGTERM to its process group, SIGKILL after a while, and it is inactive. */
export function stopUnit(root, name) {
  const state = readState(root, name);
  if (state === undefined) return;
  const ended = () => !isRunning(state.supervisor) && !isRunning(state.mainPid);
  for (const [signal, timeout] of [["SIGTERM", STOP_TIMEOUT_MS], ["SIGKILL", STOP_TIMEOUT_MS]]) {
    if (ended()) break;
    signalGroup(state.supervisor, signal);
    waitFor(ended, timeout);
  }
  rmSync(stateFile(root, name), { force: true });
}

/**
 * The units' output as journal entries ({ at, systemdUnit, identifier, pid, priority, message }), of one
 * unit or of all. The log has no time per line: each line is stamped with the log's last change.
 */
export function unitLogEntries(root, unit) {
  const dir = onHost(root, LOG_DIR);
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir).map((file) => path.basename(file, ".log")).filter((name) => unit === undefined || name === unit);
  return names.flatMap((name) => {
    const at = statSync(logFile(root, name)).mtimeMs;
    const pid = readState(root, name)?.mainPid;
    // journald names a line by the program that wrote it.
    const identifier = path.basename(readUnitFile(root, name)?.execStart[0] ?? name);
    const lines = readFileSync(logFile(root, name), "utf8").split("\n").slice(0, -1);
    return lines.map((message) => ({ at: Math.floor(at), systemdUnit: name, identifier, ...(pid ? { pid } : {}), priority: 6, message }));
  });
}

function mapArgument(root, arg) {
  return arg.startsWith("/") && existsSync(onHost(root, arg)) ? onHost(root, arg) : arg;
}

/** Alive, and not a zombie (a supervisor whose parent is gone may wait for a reaper that never comes). */
function isRunning(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return false;
  }
}

function signalGroup(leader, signal) {
  try {
    process.kill(-leader, signal);
  } catch (error) {
    if (error.code !== "ESRCH") throw error;
  }
}

/** Polls `done` every 20 ms for up to `timeoutMs`; systemctl is synchronous, so this blocks. */
function waitFor(done, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (!done()) {
    if (Date.now() >= deadline) return false;
    Atomics.wait(pause, 0, 0, 20);
  }
  return true;
}
