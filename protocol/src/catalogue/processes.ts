import { z } from "zod";
import { ProcessInfoSchema } from "../sysadmin/payloads.js";
import { defineAction, READ_ONLY } from "./define.js";

export const processesTop = defineAction({
  name: "processes.top",
  title: "Top processes",
  description:
    "The processes using the most CPU and the most memory (ps): pid, parent, user, %CPU, %MEM, resident memory and name. %CPU is ps's figure, CPU time over the process's lifetime; for load now, see telemetry_now.",
  schemas: () => ({
    input: z.object({ count: z.number().int().min(1).max(50).default(10).describe("How many processes in each list") }),
    output: z.object({
      processCount: z.number().int().nonnegative(),
      byCpu: z.array(ProcessInfoSchema),
      byMemory: z.array(ProcessInfoSchema),
    }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 15_000,
});

export const processesKill = defineAction({
  name: "processes.kill",
  title: "Stop a process",
  description:
    "Sends SIGTERM to a process by pid; with force, sends SIGKILL when it is still running after graceSeconds. PID 1, the bridge itself, its parents and its children are refused. A process a service runs comes back if systemd restarts it: stop the service instead (services_stop).",
  schemas: () => ({
    input: z.object({
      pid: z.number().int().min(1).max(4_194_304),
      force: z.boolean().default(false).describe("SIGKILL after graceSeconds if SIGTERM did not end it"),
      graceSeconds: z.number().int().min(1).max(60).default(10).describe("How long to wait for the process to end after SIGTERM"),
    }),
    output: z.object({
      pid: z.number().int(),
      command: z.string(),
      user: z.string(),
      signals: z.array(z.enum(["TERM", "KILL"])).describe("Signals sent, in order"),
      exited: z.boolean().describe("The process was gone when the bridge last looked"),
      message: z.string(),
    }),
  }),
  hints: { readOnly: false, destructive: true, idempotent: false },
  defaultTimeoutMs: 90_000,
});

export const processActions = [processesTop, processesKill] as const;
