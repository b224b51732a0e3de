import type { CommandDetail, ConfirmedBy, FleetRun, FleetRunPlan, FleetRunRequest } from "@jetson/protocol";
import {
  CLIENT_CAPABILITIES_META_KEY,
  type CallToolResult,
  type McpServer,
  MissingRequiredClientCapabilityError,
  ProtocolError,
  ProtocolErrorCode,
  type ServerContext,
} from "@modelcontextprotocol/server";
import { z } from "zod";
import { type Fleet, FleetError, type InvokeCall } from "../fleet.js";
import { FleetOps } from "../fleet-ops/fleet-ops.js";
import { RUN_RETENTION_MS } from "../fleet-ops/run-index.js";
import { LEDGER_RETENTION_MS } from "../device/store.js";
import { runResult } from "./fleet-ops-tools.js";
import { runLine } from "./run-progress.js";
import { toolData, toolError } from "./tool-result.js";

/** The tasks extension of MCP 2026-07-28 (SEP-2663). */
export const TASKS_EXTENSION = "io.modelcontextprotocol/tasks";

/**
 * Tools whose work takes more than a few seconds: answered with a task when the client declares
 * the extension. Each handler stops its program when cancelled. containers_run is not one: it
 * never pulls (containers_pull does), so it is over in a moment.
 */
const TASK_TOOLS = new Set([
  "ai_model_deploy",
  "ai_benchmark",
  "containers_pull",
  "packages_install",
  "packages_upgrade",
  "packages_refresh",
  "telemetry_watch",
  "start_fleet_run",
]);

/** The task shape of the extension's 2026-07-28 schema; `tasks/get` inlines the result or error of a finished one. */
const TaskSchema = z.object({
  taskId: z.string(),
  status: z.enum(["working", "input_required", "completed", "cancelled", "failed"]),
  statusMessage: z.string().optional(),
  createdAt: z.iso.datetime(),
  lastUpdatedAt: z.iso.datetime(),
  ttlMs: z.number().int().nullable(),
  pollIntervalMs: z.number().int().optional(),
});
type Task = z.infer<typeof TaskSchema>;
type DetailedTask = Task & { result?: CallToolResult };

const TaskParamsSchema = z.looseObject({ taskId: z.string().max(200) });

/**
 * A task id names where its state lives, so any isolate finds it: a device's ledger
 * (`device:<device>:<command id>`) or a fleet run's object (`run:<run id>`).
 */
const TASK_IDS = {
  device: /^device:([a-z0-9][a-z0-9-]{0,62}):([A-Za-z0-9_-]{8,64})$/,
  run: /^run:(run_[A-Za-z0-9_-]+)$/,
} as const;

const iso = (ms: number) => new Date(ms).toISOString();

/** How each ledger state reads as a task status. */
const TASK_STATUS = {
  queued: "working",
  sent: "working",
  running: "working",
  succeeded: "completed",
  failed: "completed",
  timed_out: "completed",
  expired: "completed",
  cancelled: "cancelled",
} as const satisfies Record<CommandDetail["state"], Task["status"]>;
const TASK_NOT_FOUND = "Failed to retrieve task: Task not found";

/** Whether a request's `_meta` declares the tasks extension among its client capabilities. */
function declaresTasks(meta: unknown): boolean {
  const parsed = z
    .object({ [CLIENT_CAPABILITIES_META_KEY]: z.object({ extensions: z.record(z.string(), z.unknown()).optional() }) })
    .safeParse(meta);
  return parsed.success && parsed.data[CLIENT_CAPABILITIES_META_KEY].extensions?.[TASKS_EXTENSION] !== undefined;
}

const ToolCallSchema = z.object({
  method: z.literal("tools/call"),
  params: z.object({ name: z.string(), _meta: z.unknown() }),
});

/**
 * The task side of one MCP request. The server is built per request, so whether this
 * request is a tool call to answer with a task is known before the tools are registered:
 * such a tool is registered without its output schema (its answer is the task, the
 * device's data comes later through tasks/get).
 */
export class TaskCalls {
  private readonly taskTool: string | undefined;
  private readonly ops: FleetOps;

  constructor(
    private readonly fleet: Fleet,
    message: unknown,
  ) {
    const call = ToolCallSchema.safeParse(message);
    this.taskTool = call.success && TASK_TOOLS.has(call.data.params.name) && declaresTasks(call.data.params._meta) ? call.data.params.name : undefined;
    this.ops = new FleetOps(fleet);
  }

  /** Whether this request calls `tool` and is to be answered with a task. */
  asTask(tool: string): boolean {
    return this.taskTool === tool;
  }

  outputSchema<S>(tool: string, schema: S): S | undefined {
    return this.asTask(tool) ? undefined : schema;
  }

  /** Starts a device action and answers its task; a refusal is an ordinary tool error. */
  async startCommand(device: string, call: Omit<InvokeCall, "queue">): Promise<CallToolResult> {
    const started = await this.fleet.start(device, call);
    if (!started.ok) return toolError(started.error.message);
    return created(commandTask(`device:${device}:${started.commandId}`, { state: "sent", createdAt: started.createdAt }));
  }

  /** Starts a fleet run (its object drives it) and answers its task; `planned` as FleetOps.startRun takes it. */
  async startRun(request: FleetRunRequest, confirmedBy?: ConfirmedBy, planned?: FleetRunPlan): Promise<CallToolResult> {
    try {
      return created(runTask(await this.ops.startRun(request, confirmedBy, planned)));
    } catch (error) {
      if (error instanceof FleetError) return toolError(error.message);
      throw error;
    }
  }

  /** The current state of a task this caller may read. */
  async get(taskId: string): Promise<DetailedTask> {
    const device = TASK_IDS.device.exec(taskId);
    if (device?.[1] && device[2]) {
      const detail = await this.ops.taskCommand(device[1], device[2]);
      if (detail) return commandTask(taskId, detail);
    }
    const run = TASK_IDS.run.exec(taskId);
    if (run?.[1]) return runTask(await this.ops.run(run[1]));
    throw new FleetError("not_found", TASK_NOT_FOUND);
  }

  /** Asks the device (or every device of the run) to stop; acknowledged once known, as the extension allows. */
  async cancel(taskId: string): Promise<void> {
    const device = TASK_IDS.device.exec(taskId);
    if (device?.[1] && device[2]) {
      if (await this.ops.cancelTaskCommand(device[1], device[2])) return;
    }
    const run = TASK_IDS.run.exec(taskId);
    if (run?.[1]) {
      await this.ops.cancelRun(run[1]);
      return;
    }
    throw new FleetError("not_found", TASK_NOT_FOUND);
  }
}

/** The extension's methods, for clients that declare it on the request (-32021 otherwise). */
export function registerTaskMethods(server: McpServer, tasks: TaskCalls): void {
  server.server.registerCapabilities({ extensions: { [TASKS_EXTENSION]: {} } });
  const handle = (body: (taskId: string) => Promise<Record<string, unknown>>) => async (params: z.infer<typeof TaskParamsSchema>, ctx: ServerContext) => {
    if (!declaresTasks(ctx.mcpReq.envelope)) {
      throw new MissingRequiredClientCapabilityError({ requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } });
    }
    try {
      return await body(params.taskId);
    } catch (error) {
      // Another fleet's task, a missing one and a malformed id read alike.
      if (error instanceof FleetError) throw new ProtocolError(ProtocolErrorCode.InvalidParams, error.code === "not_found" ? TASK_NOT_FOUND : error.message);
      throw error;
    }
  };
  server.server.setRequestHandler("tasks/get", { params: TaskParamsSchema }, handle(async (taskId) => tasks.get(taskId)));
  // No task here ever waits for input, so there is nothing to update; a known task is acknowledged.
  server.server.setRequestHandler("tasks/update", { params: TaskParamsSchema }, handle(async (taskId) => (await tasks.get(taskId), {})));
  server.server.setRequestHandler("tasks/cancel", { params: TaskParamsSchema }, handle(async (taskId) => (await tasks.cancel(taskId), {})));
}

/** A CreateTaskResult, in place of the tool's result. */
function created(task: Task): CallToolResult {
  return { content: [], ...TaskSchema.parse(task), resultType: "task" };
}

/** A ledger command as a task: working while open, then its outcome as the tool's result would have been. */
function commandTask(taskId: string, detail: Pick<CommandDetail, "state" | "createdAt"> & Partial<CommandDetail>): DetailedTask {
  const base = {
    taskId,
    createdAt: iso(detail.createdAt),
    lastUpdatedAt: iso(Math.max(detail.createdAt, detail.endedAt ?? 0, detail.progress?.at ?? 0)),
    // The ledger keeps a command this long (and its newest 1,000 commands).
    ttlMs: LEDGER_RETENTION_MS,
    pollIntervalMs: 1_000,
  };
  const outcome = detail.outcome;
  const status = TASK_STATUS[detail.state];
  if (status === "cancelled") return { ...base, status, statusMessage: cancelledMessage(detail) };
  if (status === "completed") {
    // A device's failure is the tool's error result (completed); `failed` is for protocol errors only.
    const result = outcome?.ok ? toolData(outcome.data as Record<string, unknown>) : toolError(outcome?.error.message ?? `The command ended ${detail.state}.`);
    return { ...base, status, statusMessage: detail.state, result };
  }
  const progress = detail.progress;
  const statusMessage = progress
    ? `${progress.done}${progress.total === undefined ? "" : ` of ${progress.total}`}${progress.message ? `: ${progress.message}` : ""}`
    : `${detail.state === "running" ? "running on" : "sent to"} the device`;
  return { ...base, status, statusMessage };
}

/** Who cancelled it, and what the device did when it had finished before the cancel reached it. */
function cancelledMessage({ outcome, outcomeOnDevice }: Partial<CommandDetail>): string {
  const cancel = outcome && !outcome.ok ? outcome.error.message : "cancelled";
  if (!outcomeOnDevice) return cancel;
  const did = outcomeOnDevice.ok ? "it succeeded" : `it failed: ${outcomeOnDevice.error.message}`;
  return `${cancel} The device had already finished it when the cancel came (${did}).`;
}

function runTask(run: FleetRun): DetailedTask {
  const base = {
    taskId: `run:${run.id}`,
    statusMessage: runLine(run),
    createdAt: iso(run.createdAt),
    lastUpdatedAt: iso(Math.max(run.createdAt, run.endedAt ?? 0, ...run.devices.map((d) => d.endedAt ?? d.startedAt ?? 0))),
    // A run's record is kept 90 days after it ends, so at least that long after it was created.
    ttlMs: RUN_RETENTION_MS,
    pollIntervalMs: 2_000,
  };
  if (run.state === "running") return { ...base, status: "working" };
  if (run.state === "cancelled") return { ...base, status: "cancelled" };
  return { ...base, status: "completed", result: runResult(run) };
}
