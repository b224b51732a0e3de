import type { ProcessInfo } from "@jetson/protocol";
import type { HostPort } from "../host/port.js";
import { bridgeFamily } from "../machine/bridge-family.js";
import { killArgs } from "../machine/kill-commands.js";
import { PS_COLUMNS, parsePs } from "../parsers/ps.js";
import { runChecked } from "./run-checked.js";
import { ActionError } from "../action-error.js";
import { type HandlerTable } from "./types.js";

const POLL_MS = 500;
/** How long to look for a process to end after a signal nobody asked to wait for. */
const SETTLE_MS = 1_500;

export const processHandlers = {
  "processes.top": async ({ count }, { host }) => {
    const table = await processTable(host);
    const by = (key: "cpuPercent" | "rssKiB") => [...table].sort((a, b) => b[key] - a[key]).slice(0, count);
    return { processCount: table.length, byCpu: by("cpuPercent"), byMemory: by("rssKiB") };
  },

  "processes.kill": async ({ pid, force, graceSeconds }, { host }) => {
    // Decided before anything runs on the device.
    if (pid === 1) throw refuse(pid, "it is init (systemd): ending it brings the whole device down. To restart the device, use power_reboot");
    const acting = await host.actingProcess();
    if (pid === acting.pid || pid === acting.parentPid) throw refuse(pid, `it is ${acting.what} or the process that started it`);
    const table = await processTable(host);
    const parent = acting.parentPid ?? table.find((p) => p.pid === acting.pid)?.ppid ?? acting.pid;
    if (bridgeFamily(table, acting.pid, parent).has(pid)) throw refuse(pid, `it is ${acting.what}, one of its parents, or a program it runs`);
    const target = table.find((p) => p.pid === pid);
    if (!target) throw new ActionError("invalid_input", `No process with PID ${pid} is running (processes_top lists them).`);
    const signals: ("TERM" | "KILL")[] = [];
    await signal(host, pid, "TERM", signals);
    let exited = await endsWithin(host, target, force ? graceSeconds * 1000 : SETTLE_MS);
    if (!exited && force) {
      await signal(host, pid, "KILL", signals);
      exited = await endsWithin(host, target, SETTLE_MS);
    }
    const what = `${target.command} (PID ${pid}, user ${target.user})`;
    const message = exited
      ? `${what} ended after SIG${signals.at(-1)}.`
      : force
        ? `${what} is still there after SIGKILL: it may be stuck in the kernel (uninterruptible I/O).`
        : `${what} is still running ${SETTLE_MS / 1000} s after SIGTERM; it may be shutting down. Check with processes_top, or call again with force.`;
    return { pid, command: target.command, user: target.user, signals, exited, message };
  },
} satisfies Partial<HandlerTable>;

function refuse(pid: number, why: string): ActionError {
  return new ActionError("permission_denied", `PID ${pid} is not stopped: ${why}.`);
}

async function processTable(host: HostPort): Promise<ProcessInfo[]> {
  return parsePs((await runChecked(host, "ps", ["-eo", PS_COLUMNS, "--sort=-pcpu"], { timeoutMs: 10_000 })).stdout);
}

async function signal(host: HostPort, pid: number, name: "TERM" | "KILL", sent: ("TERM" | "KILL")[]): Promise<void> {
  const result = await host.run("kill", killArgs({ signal: name, pid }), { timeoutMs: 10_000 });
  // "No such process": it ended on its own in the meantime, which is what was wanted.
  if (result.exitCode !== 0 && !/No such process/i.test(result.stderr)) {
    const detail = result.stderr.trim() || `exit ${result.exitCode}`;
    throw new ActionError(
      /not permitted|denied/i.test(detail) ? "permission_denied" : "handler_failed",
      `kill -s ${name} ${pid} failed: ${detail}. Processes of other users can be signalled only when sudo.programs in the bridge configuration lists kill.`,
    );
  }
  sent.push(name);
}

/** Whether the process is gone (or its PID now belongs to another program) within `ms`. */
async function endsWithin(host: HostPort, target: ProcessInfo, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    const now = (await processTable(host)).find((p) => p.pid === target.pid);
    if (!now || now.command !== target.command) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
