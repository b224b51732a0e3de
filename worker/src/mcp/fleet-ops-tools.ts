import {
  CommandDetailSchema,
  DesiredStateRuleSchema,
  DesiredStateSchema,
  DesiredStatusSchema,
  DeviceAttributesSchema,
  type FleetRunPlan,
  FleetRunPlanSchema,
  destructiveReason,
  findAction,
  type FleetRunRequest,
  FleetRunRequestSchema,
  FleetRunSchema,
  QueuedCommandSchema,
  QueueOptionSchema,
  SelectorSchema,
  TagsSchema,
} from "@jetson/protocol";
import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Fleet } from "../fleet.js";
import { FleetOps, mustChooseDevices } from "../fleet-ops/fleet-ops.js";
import { followRun, MAX_WAIT_SECONDS } from "./run-progress.js";
import { actionQuestion, type ConfirmationQuestion, type Confirmations, type Era } from "./confirmation.js";
import type { SchemaRefusals } from "./schema-refusals.js";
import type { TaskCalls } from "./tasks.js";
import { guarded, toolData, toolError } from "./tool-result.js";

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
const device = z.string().describe("Device id, as list_devices shows it");
const waitSeconds = (defaultSeconds: number) =>
  z
    .number()
    .int()
    .min(0)
    .max(MAX_WAIT_SECONDS)
    .default(defaultSeconds)
    .describe(`Wait up to this many seconds for the run to end, with progress notifications (default ${defaultSeconds})`);
const RunResultSchema = FleetRunSchema.extend({ resource: z.string().describe("Read this resource for the run's record later") });
export const runResult = (run: z.infer<typeof FleetRunSchema>) => toolData({ ...run, resource: `jetson://runs/${run.id}` });

const QueueCommandSchema = z.strictObject({
  device,
  action: z.string().describe("Catalogued action, e.g. power.set"),
  args: z.record(z.string(), z.unknown()).default({}),
  ...QueueOptionSchema.shape,
  timeoutMs: z.number().int().min(1_000).max(600_000).default(60_000).describe("How long the device may take once it has the command"),
});

/** A fleet run's confirmation question, with the plan it names. */
interface RunQuestion {
  question: ConfirmationQuestion;
  /** The devices the run is held to once confirmed. */
  plan: FleetRunPlan;
}

/**
 * What the user is asked before a fleet run. On 2026-07-28 every run of an action that changes
 * devices is asked about, naming the devices planned; a 2025-11-25 client confirms, with its
 * flag, the destructive ones only. Either way the run is held to the devices planned, and a
 * refused confirmation is audited on each of them.
 */
async function runQuestion(ops: FleetOps, request: FleetRunRequest, era: Era): Promise<RunQuestion | undefined> {
  const action = findAction(request.action);
  if (!action || action.hints.readOnly) return undefined;
  const why = destructiveReason(action, request.args);
  if (era === "legacy" && why === undefined) return undefined;
  // Planned as if confirmed: a refusal left is one no answer can lift (scope, selector), and startRun reports it.
  const plan = await ops.planRun(request, "human");
  if (plan.refusal !== undefined) return undefined;
  // Refused rather than left unasked: the selector may choose devices by the time the run starts.
  mustChooseDevices(plan);
  const canaries = plan.canaryCount > 0 ? `, ${plan.canaryCount} canary device(s) first` : "";
  const question = actionQuestion(
    action,
    plan.devices.map((d) => d.id),
    request.args,
    `${why ?? `It changes every device the selector "${plan.selector}" chooses`}${canaries}`,
    why !== undefined,
  );
  return { question, plan };
}

/** Tools for acting on many devices: selectors and tags, fleet runs, desired state, and commands that wait for offline devices. */
export function registerFleetOpsTools(server: McpServer, fleet: Fleet, refusals: SchemaRefusals, confirmations: Confirmations, tasks: TaskCalls): void {
  const ops = new FleetOps(fleet);

  server.registerTool(
    "select_devices",
    {
      title: "Select devices",
      description: "The devices a selector chooses, with the attributes it matched (tags, board, JetPack, L4T, bridge version, online). Answered from the fleet's registry without waking any device.",
      inputSchema: z.strictObject({ selector: SelectorSchema }),
      outputSchema: z.object({ devices: z.array(DeviceAttributesSchema), count: z.number().int() }),
      annotations: READ_ONLY,
    },
    async ({ selector }) =>
      guarded(async () => {
        const devices = await ops.select(selector);
        return toolData({ devices, count: devices.length });
      }),
  );

  server.registerTool(
    "set_device_tags",
    {
      title: "Set a device's tags",
      description: "Replaces a device's tags (selectors choose by them: tag:warehouse). Desired state declared for a tag follows at once.",
      inputSchema: z.strictObject({ device, tags: TagsSchema }),
      outputSchema: z.object({ device: z.string(), tags: z.array(z.string()) }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ device, tags }) => guarded(async () => toolData({ device, tags: await ops.setTags(device, tags) })),
  );

  server.registerTool(
    "plan_fleet_run",
    {
      title: "Dry-run a fleet action",
      description:
        "What start_fleet_run would do, without doing it: the devices the selector chooses (canaries first), which are offline, and whether this caller may run the action. Show this to the user before starting a run.",
      inputSchema: FleetRunRequestSchema,
      outputSchema: FleetRunPlanSchema,
      annotations: READ_ONLY,
    },
    async (request) => guarded(async () => toolData(await ops.planRun(request))),
  );

  server.registerTool(
    "start_fleet_run",
    {
      title: "Run an action across the fleet",
      description:
        "Runs one catalogued action on every device a selector chooses: the canary devices first (all must succeed before the others start), at most `concurrency` at once, and no new starts once more than abortThresholdPct of the finished devices failed. " +
        "The run goes on in the cloud when this call returns; it waits up to waitSeconds with progress, then answers the run so far. Follow it with get_fleet_run or the resource. " +
        "Scopes and confirmation are the action's own; every device's command is audited.",
      inputSchema: (confirmations.era === "legacy" ? FleetRunRequestSchema : FleetRunRequestSchema.omit({ confirm: true })).extend({ waitSeconds: waitSeconds(20) }),
      outputSchema: tasks.outputSchema("start_fleet_run", RunResultSchema),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    async ({ waitSeconds, ...fields }, ctx) =>
      guarded(async () => {
        const request: FleetRunRequest = fields;
        const asked = await runQuestion(ops, request, confirmations.era);
        const gate = await confirmations.gate(ctx, "start_fleet_run", request, asked?.question, request.confirm);
        if (!gate.proceed) return gate.result;
        if (tasks.asTask("start_fleet_run")) return tasks.startRun(request, gate.confirmedBy, asked?.plan);
        return runResult(await followRun(ops, await ops.startRun(request, gate.confirmedBy, asked?.plan), waitSeconds, ctx));
      }),
  );

  server.registerTool(
    "get_fleet_run",
    {
      title: "Fleet run status",
      description: "A fleet run's state, counts and per-device results; with waitSeconds, waits for it to end, with progress.",
      inputSchema: z.strictObject({ run: z.string().describe("Run id, as start_fleet_run answered"), waitSeconds: waitSeconds(0) }),
      outputSchema: RunResultSchema,
      annotations: READ_ONLY,
    },
    async ({ run, waitSeconds }, ctx) => guarded(async () => runResult(await followRun(ops, await ops.run(run), waitSeconds, ctx))),
  );

  server.registerTool(
    "set_desired_state",
    {
      title: "Declare desired state",
      description:
        "Declares what the devices a selector chooses must keep: power mode, fan speed or profile, jetson_clocks lock, running containers (id:<device> for one device). " +
        "Each device applies the difference now if online and on every reconnect, and reports what it could not fix as drift. The same selector again replaces its declaration; an empty state withdraws it.",
      inputSchema: z.strictObject({ selector: SelectorSchema, state: DesiredStateSchema }),
      outputSchema: z.object({ rule: DesiredStateRuleSchema.optional(), devices: z.array(z.string()).describe("Devices the selector chooses now") }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ selector, state }) => guarded(async () => toolData(await ops.setDesired(selector, state))),
  );

  server.registerTool(
    "get_desired_state",
    {
      title: "Desired state and drift",
      description: "One device's desired state (every declaration that chooses it, merged), when it was last compared, and the drift it could not fix.",
      inputSchema: z.strictObject({ device }),
      outputSchema: DesiredStatusSchema,
      annotations: READ_ONLY,
    },
    async ({ device }) => guarded(async () => toolData(await ops.desiredStatus(device))),
  );

  server.registerTool(
    "queue_command",
    {
      title: "Run an action, waiting for an offline device",
      description:
        "Runs a catalogued action on a device now if it is online; if it is offline, the command waits in its ledger and runs once when it reconnects, unless it expires first. Read the outcome later with get_command.",
      inputSchema: refusals.add(
        "queue_command",
        confirmations.era === "legacy" ? QueueCommandSchema.extend({ confirm: z.boolean().optional().describe("Required for a destructive action, once the user has agreed") }) : QueueCommandSchema,
        (args) => (typeof args.action === "string" ? args.action : "queue_command"),
      ),
      outputSchema: z.object({ ran: z.boolean(), data: z.unknown().optional(), queued: QueuedCommandSchema.optional(), message: z.string().optional() }),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    async ({ device, action, args, expiresInMs, timeoutMs, ...fields }, ctx) => {
      const { confirm }: { confirm?: boolean } = fields;
      const definition = findAction(action);
      const why = definition && destructiveReason(definition, args);
      const question = definition && why !== undefined ? actionQuestion(definition, [device], args, why) : undefined;
      const gate = await confirmations.gate(ctx, "queue_command", { device, action, args, expiresInMs, timeoutMs }, question, confirm);
      if (!gate.proceed) return gate.result;
      const outcome = await fleet.invoke(device, { action, args, timeoutMs, confirmedBy: gate.confirmedBy, queue: { expiresInMs } });
      if (outcome.ok) return toolData({ ran: true, data: outcome.data });
      if (outcome.queued) return toolData({ ran: false, queued: outcome.queued, message: outcome.error.message });
      return toolError(outcome.error.message);
    },
  );

  server.registerTool(
    "get_command",
    {
      title: "A command's outcome",
      description:
        "One command of a device's ledger: its state (queued, sent, running, succeeded, failed, timed_out, expired, cancelled), arguments and result; for a cancelled command the device had already finished, what it reported (outcomeOnDevice).",
      inputSchema: z.strictObject({ device, commandId: z.string().describe("As queue_command answered") }),
      outputSchema: CommandDetailSchema,
      annotations: READ_ONLY,
    },
    async ({ device, commandId }) => guarded(async () => toolData(await ops.command(device, commandId))),
  );

  server.registerTool(
    "cancel_command",
    {
      title: "Cancel a command",
      description:
        "Cancels an open command of a device's ledger (queued, sent or running): a queued one is never delivered, one the device has is stopped there. " +
        "Answers the command as get_command does; a command that has already ended is left as it is, and the error names its state.",
      inputSchema: z.strictObject({ device, commandId: z.string().describe("As queue_command or get_command answered") }),
      outputSchema: CommandDetailSchema,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ device, commandId }) => guarded(async () => toolData(await ops.cancelCommand(device, commandId))),
  );
}
