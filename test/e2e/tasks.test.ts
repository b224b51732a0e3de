import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { AuditEntry, CommandDetail, FleetRun } from "@jetson/protocol";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TasksClient } from "../support/mcp-tasks.js";
import { TestStack } from "../support/stack.js";
import { eventually } from "../support/eventually.js";

/**
 * Long actions as MCP tasks (the 2026-07-28 tasks extension) against wrangler dev and a
 * real bridge on a simulated AGX Orin. telemetry_watch runs the board's tegrastats for as
 * long as asked and reports progress per sample, so a cancel is visible on the device:
 * the tegrastats process it started is gone.
 */
const DEVICE = "task-orin";

let stack: TestStack;
let tasks: TasksClient;
let otherFleet: TasksClient;

beforeAll(async () => {
  stack = await TestStack.start();
  await stack.addBridge(DEVICE, "agx-orin-jp6");
  const local = stack.worker.fleetToken;
  // Another fleet with a device of the same id: its token must not reach this fleet's tasks.
  const other = await stack.worker.createFleet("other");
  await stack.worker.provision(DEVICE);
  stack.worker.fleetToken = local;
  tasks = new TasksClient(`${stack.worker.url}/mcp`, local);
  otherFleet = new TasksClient(`${stack.worker.url}/mcp`, other);
});

afterAll(async () => {
  await stack?.stop();
});

/** The pids of the simulated board's tegrastats processes (the watch's; the bridge samples sysfs itself). */
async function tegrastatsOnBoard(): Promise<number[]> {
  const program = path.join(stack.bridges.get(DEVICE)?.root ?? "", "usr/bin/tegrastats");
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (argv.split("\0").includes(program)) pids.push(Number(entry));
  }
  return pids;
}

const commandOf = (taskId: string) => taskId.split(":")[2] ?? "";

describe("device actions as tasks", () => {
  it("answers a task at once, shows progress, and a cancel stops the program on the device and reads cancelled in the ledger", async () => {
    const { result: created } = await tasks.callTool("telemetry_watch", { device: DEVICE, seconds: 60, intervalMs: 200 });
    expect(created).toMatchObject({ resultType: "task", status: "working", ttlMs: expect.any(Number), pollIntervalMs: expect.any(Number) });
    const taskId = String(created?.taskId);
    expect(taskId).toMatch(new RegExp(`^device:${DEVICE}:`));

    const progressing = await tasks.until(taskId, (task) => /^\d+ of 300: sample/.test(String(task.statusMessage)));
    expect(progressing).toMatchObject({ resultType: "complete", status: "working", statusMessage: expect.stringMatching(/^\d+ of 300: sample \d+ of 300$/) });
    expect(await tegrastatsOnBoard()).toHaveLength(1);

    expect(await tasks.cancelTask(taskId)).toEqual({ jsonrpc: "2.0", id: expect.any(Number), result: expect.objectContaining({ resultType: "complete" }) });
    expect(await tasks.until(taskId, (task) => task.status !== "working")).toMatchObject({ status: "cancelled", statusMessage: expect.stringMatching(/cancelled by token:/) });
    expect(await eventually(tegrastatsOnBoard, (pids) => pids.length === 0)).toEqual([]);

    const ledger = await stack.worker.api<CommandDetail>(`/api/devices/${DEVICE}/commands/${commandOf(taskId)}`);
    expect(ledger).toMatchObject({ state: "cancelled", progress: { done: expect.any(Number), total: 300 }, outcome: { ok: false, error: { code: "cancelled" } } });
    const audit = await stack.worker.api<{ entries: AuditEntry[] }>(`/api/audit?device=${DEVICE}`);
    expect(audit.entries.find((entry) => entry.commandId === commandOf(taskId))).toMatchObject({ outcome: "failed", error: expect.stringMatching(/^cancelled:/) });
  });

  it("keeps the result of a finished task for later reads", async () => {
    const { result: created } = await tasks.callTool("telemetry_watch", { device: DEVICE, seconds: 1, intervalMs: 200 });
    const taskId = String(created?.taskId);
    const done = await tasks.until(taskId, (task) => task.status !== "working");
    expect(done).toMatchObject({ status: "completed", result: { structuredContent: { samples: expect.any(Array) } } });
    expect((done.result as CallToolResult).isError).toBeUndefined();
    const samples = (done.result as CallToolResult).structuredContent?.samples as unknown[];
    expect(samples.length).toBeGreaterThanOrEqual(3);
    expect((await tasks.getTask(taskId)).result).toMatchObject({ status: "completed", result: done.result });
    // Nothing waits for input; an update to a known task is acknowledged, a cancel after the end changes nothing.
    expect((await tasks.updateTask(taskId)).result).toMatchObject({ resultType: "complete" });
    expect((await tasks.cancelTask(taskId)).result).toMatchObject({ resultType: "complete" });
    expect((await tasks.getTask(taskId)).result).toMatchObject({ status: "completed" });
  });

  it("answers an unknown task id, and another fleet's, with invalid params", async () => {
    const { result: created } = await tasks.callTool("telemetry_watch", { device: DEVICE, seconds: 1, intervalMs: 500 });
    const taskId = String(created?.taskId);
    for (const unknown of [`device:${DEVICE}:cmd_nosuchcommand`, "run:run_nosuchrun00", "no-such-task"]) {
      expect((await tasks.getTask(unknown)).error).toMatchObject({ code: -32602, message: "Failed to retrieve task: Task not found" });
      expect((await tasks.cancelTask(unknown)).error).toMatchObject({ code: -32602 });
    }
    expect((await otherFleet.getTask(taskId)).error).toMatchObject({ code: -32602, message: "Failed to retrieve task: Task not found" });
    expect((await otherFleet.cancelTask(taskId)).error).toMatchObject({ code: -32602 });
    expect(await tasks.until(taskId, (task) => task.status !== "working")).toMatchObject({ status: "completed" });
  });

  it("gives a client without the extension today's result, and refuses it the task methods", async () => {
    const plain = new TasksClient(`${stack.worker.url}/mcp`, stack.worker.fleetToken, false);
    const { result } = await plain.callTool("telemetry_watch", { device: DEVICE, seconds: 1, intervalMs: 500 });
    expect(result).toMatchObject({ resultType: "complete", structuredContent: { samples: expect.any(Array) } });
    expect(result).not.toHaveProperty("taskId");
    expect((await plain.getTask(`device:${DEVICE}:cmd_nosuchcommand`)).error).toMatchObject({
      code: -32021,
      data: { requiredCapabilities: { extensions: { "io.modelcontextprotocol/tasks": {} } } },
    });
    const legacy = await stack.mcp();
    const old = (await legacy.callTool({ name: "telemetry_watch", arguments: { device: DEVICE, seconds: 1, intervalMs: 500 } })) as CallToolResult;
    expect(old.structuredContent).toMatchObject({ samples: expect.any(Array) });
    await legacy.close();
  });
});

describe("fleet runs as tasks", () => {
  const run = (args: Record<string, unknown>) =>
    tasks.callTool("start_fleet_run", { selector: `id:${DEVICE}`, action: "telemetry.watch", args });

  it("runs to the end, and the task's result is the run", async () => {
    const { result: created } = await run({ seconds: 1, intervalMs: 200 });
    expect(created).toMatchObject({ resultType: "task", status: "working", ttlMs: 90 * 86_400_000, taskId: expect.stringMatching(/^run:run_/) });
    const done = await tasks.until(String(created?.taskId), (task) => task.status !== "working");
    expect(done).toMatchObject({ status: "completed", result: { structuredContent: { state: "succeeded", counts: { succeeded: 1 } } } });
  });

  it("cancels a run: its device's command stops there and the run reads cancelled", async () => {
    const { result: created } = await run({ seconds: 60, intervalMs: 200 });
    const taskId = String(created?.taskId);
    await tasks.until(taskId, (task) => / 1 running/.test(String(task.statusMessage)));
    expect(await eventually(tegrastatsOnBoard, (pids) => pids.length === 1)).toHaveLength(1);
    expect((await tasks.cancelTask(taskId)).result).toMatchObject({ resultType: "complete" });
    expect(await tasks.until(taskId, (task) => task.status !== "working")).toMatchObject({ status: "cancelled" });
    expect(await eventually(tegrastatsOnBoard, (pids) => pids.length === 0)).toEqual([]);
    const runId = taskId.slice("run:".length);
    const record = await eventually(
      () => stack.worker.api<FleetRun>(`/api/runs/${runId}`),
      (r) => r.devices[0]?.state !== "running",
    );
    expect(record).toMatchObject({ state: "cancelled", devices: [{ device: DEVICE, state: "failed", error: { code: "cancelled" } }] });
  });
});
