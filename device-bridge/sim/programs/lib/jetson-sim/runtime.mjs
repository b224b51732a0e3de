// Files and state of a simulated Jetson root, shared by the stand-in programs.
// Paths given to these helpers are machine paths ("/sys/..."), mapped under the root.
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const SIM_DIR = "/var/lib/jetson-sim";
const CALL_LOG = "/var/log/sim-calls.log";
const TMP_DIR = `${SIM_DIR}/tmp`;

/**
 * What every stand-in does first. Installed as <root>/usr/bin/<name>, it runs against <root>,
 * so it needs no environment. It logs one JSON line per invocation (a test can tell whether a
 * program ran at all), and ends quietly when its reader goes away, as the real tools do on SIGPIPE.
 */
export function startProgram(moduleUrl, program) {
  const root = path.resolve(path.dirname(fileURLToPath(moduleUrl)), "..", "..");
  const args = process.argv.slice(2);
  const entry = { program, argv: args, at: new Date().toISOString() };
  try {
    appendFileSync(onHost(root, CALL_LOG), `${JSON.stringify(entry)}\n`);
  } catch (error) {
    // A login that is not root cannot write a root-owned tree's log (a non-root SSH user on a board
    // built by root). The program must still run for it, as the real one would: the log is the
    // simulation's own record, not part of the tool.
    if (error.code !== "EACCES" && error.code !== "EPERM") throw error;
  }
  process.stdout.on("error", () => process.exit(0));
  return { root, args };
}

/** Where a machine path ("/etc/passwd") is on the host. */
export function onHost(root, machinePath) {
  return path.join(root, machinePath);
}

/** A path given on a command line, as a machine path: the simulated shell works in `/`. */
export function resolveMachinePath(arg) {
  return path.posix.resolve("/", arg);
}

/** Prints a tool's message on standard error and exits with its code. */
export function fail(message, code = 1) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const STRERROR = {
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  EPERM: "Operation not permitted",
  EISDIR: "Is a directory",
  ENOTDIR: "Not a directory",
};

/** glibc's strerror() text for a Node file-system error, as the real tools print it. */
export function strerror(error) {
  const text = STRERROR[error.code];
  if (text === undefined) throw error;
  return text;
}

export function readText(root, machinePath) {
  return readFileSync(onHost(root, machinePath), "utf8");
}

export function readNumber(root, machinePath) {
  return Number.parseInt(readText(root, machinePath), 10);
}

/** A space-separated number list such as scaling_available_frequencies. */
export function readList(root, machinePath) {
  return readText(root, machinePath).trim().split(/\s+/).map(Number);
}

let written = 0;

/**
 * Replaces a file in one step (write aside, then rename), so the bridge never reads a
 * half-written value. The folder must exist: like sysfs, a wrong path is an error.
 */
export function writeText(root, machinePath, text) {
  const aside = onHost(root, `${TMP_DIR}/${process.pid}-${written++}`);
  writeFileSync(aside, text);
  renameSync(aside, onHost(root, machinePath));
}

export function writeNumber(root, machinePath, value) {
  writeText(root, machinePath, `${value}\n`);
}

/** Folders the simulation writes into that the board's tree does not have yet. */
export function makeSimDirs(root, statusFile) {
  for (const dir of [TMP_DIR, path.posix.dirname(statusFile)]) mkdirSync(onHost(root, dir), { recursive: true });
}

/** board.json: { board, generation, layout } as written by create.ts from the board table. */
export function loadSpec(root) {
  return JSON.parse(readText(root, `${SIM_DIR}/board.json`));
}

/** state.json: { load, clocksLocked, pendingMode, bootedAt }, changed by commands. */
export function loadState(root) {
  return JSON.parse(readText(root, `${SIM_DIR}/state.json`));
}

export function saveState(root, state) {
  writeText(root, `${SIM_DIR}/state.json`, `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * counters.json: { at, cpus: [{ user, system, idle }] } in jiffies, advanced by every refresh.
 * Kept apart from state.json so a refresh never overwrites a command's change to the state.
 */
export function loadCounters(root) {
  return JSON.parse(readText(root, `${SIM_DIR}/counters.json`));
}

export function saveCounters(root, counters) {
  writeText(root, `${SIM_DIR}/counters.json`, `${JSON.stringify(counters)}\n`);
}

/** The first line typed on standard input, trimmed (as a script's `read` takes it); undefined at end of input without one. */
export function firstLine(stream = process.stdin) {
  return new Promise((resolve) => {
    let text = "";
    const done = (line) => {
      stream.removeAllListeners("data").removeAllListeners("end").pause();
      resolve(line);
    };
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => {
      text += chunk;
      const end = text.indexOf("\n");
      if (end >= 0) done(text.slice(0, end).trim());
    });
    stream.on("end", () => done(text === "" ? undefined : text.trim()));
  });
}
