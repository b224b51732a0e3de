// The parent of a unit's main process, started detached by unit-runner.mjs with the state file, the
// program as the unit names it and the command line to run: it starts the command (standard output
// and error are its own: the unit's log), records the main pid, then how the process ended, as
// systemd's service manager would.
import { spawn } from "node:child_process";
import { renameSync, writeFileSync } from "node:fs";
import { strerror } from "./runtime.mjs";

const [stateFile, unitProgram, commandLine] = process.argv.slice(2);
const [program, ...args] = JSON.parse(commandLine);
const since = Date.now();
const record = (state) => {
  writeFileSync(`${stateFile}.${process.pid}`, `${JSON.stringify({ supervisor: process.pid, since, ...state })}\n`);
  renameSync(`${stateFile}.${process.pid}`, stateFile);
};

// systemctl stop signals the whole process group: the supervisor outlives the main process to record its end.
process.on("SIGTERM", () => undefined);
const child = spawn(program, args, { stdio: "inherit" });
child.on("spawn", () => record({ mainPid: child.pid }));
child.on("exit", (code, signal) => record({ mainPid: child.pid, exit: { code, signal } }));
// systemd's 203/EXEC: the program could not be run.
child.on("error", (error) => {
  process.stderr.write(`Failed at step EXEC spawning ${unitProgram}: ${strerror(error)}\n`);
  record({ mainPid: 0, exit: { code: 203, signal: null } });
});
