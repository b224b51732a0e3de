import type { AuditEntry, CommandDetail, DesiredStatus, FleetRun, FleetRunPlan, QueuedCommand } from "@jetson/protocol";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestStack } from "../support/stack.js";
import { eventually } from "../support/eventually.js";

/**
 * Four real bridges on simulated boards whose power mode tables differ, so
 * failures are real: the Nano has modes 0-1, the Orins 0-3, the Xavier NX 0-8.
 * Ids sort in this order, which is the order a run starts devices in.
 */
const XAVIER = "fo-a-xavier";
const AGX = "fo-b-agx";
const NANO = "fo-c-nano";
const ORIN_NANO = "fo-d-orin-nano";

let stack: TestStack;
let mcp: Client;

beforeAll(async () => {
  stack = await TestStack.start();
  await stack.addBridge(XAVIER, "xavier-nx-jp51");
  await stack.addBridge(AGX, "agx-orin-jp6");
  await stack.addBridge(NANO, "nano-jp46");
  await stack.addBridge(ORIN_NANO, "orin-nano-super-jp6");
  mcp = await stack.mcp();
});

afterAll(async () => {
  await mcp?.close();
  await stack?.stop();
});

function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === "text" ? c.text : "")).join("");
}

async function call<T>(name: string, args: Record<string, unknown>, onprogress?: (progress: Progress) => void): Promise<T> {
  const result = (await mcp.callTool({ name, arguments: args }, undefined, { onprogress, timeout: 90_000 })) as CallToolResult;
  if (result.isError) throw new Error(`${name} failed: ${text(result)}`);
  return result.structuredContent as T;
}

const powerMode = async (device: string) => (await call<{ id: number; name: string }>("power_get", { device })).id;

describe("selectors over boards that report themselves", () => {
  it("chooses by normalised board, JetPack and tag", async () => {
    await stack.worker.api(`/api/devices/${NANO}/tags`, { method: "PUT", body: JSON.stringify({ tags: ["lab"] }) });
    const ids = async (selector: string) => (await call<{ devices: Array<{ id: string }> }>("select_devices", { selector })).devices.map((d) => d.id);
    expect(await ids("id:fo-* board:orin-nano")).toEqual([ORIN_NANO]);
    expect(await ids("id:fo-* board:agx-orin,xavier-nx")).toEqual([XAVIER, AGX]);
    expect(await ids("id:fo-* jetpack:6")).toEqual([AGX, ORIN_NANO]);
    expect(await ids("id:fo-* -tag:lab online:true")).toEqual([XAVIER, AGX, ORIN_NANO]);
  });
});

describe("fleet runs over real bridges", () => {
  it("lists the devices first, then stops when a canary fails, leaving the others untouched", async () => {
    const request = { selector: "id:fo-*", action: "power.set", args: { id: 2 }, canary: { selector: "board:nano" }, concurrency: 2 };
    const plan = await call<FleetRunPlan>("plan_fleet_run", request);
    expect(plan.devices.map((d) => [d.id, d.canary])).toEqual([
      [NANO, true],
      [XAVIER, false],
      [AGX, false],
      [ORIN_NANO, false],
    ]);
    expect(plan.refusal).toBeUndefined();
    const before = await Promise.all([XAVIER, AGX, ORIN_NANO].map(powerMode));

    const run = await call<FleetRun>("start_fleet_run", { ...request, waitSeconds: 30 });
    expect(run.state).toBe("canary_failed");
    expect(run.reason).toContain(NANO);
    expect(run.devices.find((d) => d.device === NANO)).toMatchObject({ state: "failed", error: { code: "invalid_input" } });
    expect(run.devices.filter((d) => d.state === "skipped").map((d) => d.device)).toEqual([XAVIER, AGX, ORIN_NANO]);
    expect(await Promise.all([XAVIER, AGX, ORIN_NANO].map(powerMode))).toEqual(before);

    const audit = await stack.worker.api<{ entries: AuditEntry[] }>(`/api/audit?device=${NANO}`);
    expect(audit.entries.find((e) => e.action === "power.set")).toMatchObject({ outcome: "failed", caller: expect.stringContaining(`via ${run.id}`) });
  });

  it("aborts once more than the threshold of finished devices failed, with progress reaching the client", async () => {
    const progress: Progress[] = [];
    // Mode 5 exists on the Xavier NX only: it succeeds, the AGX Orin fails (1 of 2: 50 %, not more),
    // the Nano fails (2 of 3: over 50 %), and the Orin Nano is never started.
    const run = await call<FleetRun>(
      "start_fleet_run",
      { selector: "id:fo-*", action: "power.set", args: { id: 5 }, concurrency: 1, abortThresholdPct: 50, waitSeconds: 30 },
      (p) => progress.push(p),
    );
    expect(run).toMatchObject({ state: "aborted", counts: { succeeded: 1, failed: 2, skipped: 1, running: 0, pending: 0 } });
    expect(run.devices.map((d) => [d.device, d.state])).toEqual([
      [XAVIER, "succeeded"],
      [AGX, "failed"],
      [NANO, "failed"],
      [ORIN_NANO, "skipped"],
    ]);
    expect(run.reason).toMatch(/2 of 3 finished devices failed, more than 50%/);
    expect(await powerMode(XAVIER)).toBe(5);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.map((p) => p.progress)).toEqual([...progress.map((p) => p.progress)].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ progress: 4, total: 4 });

    // The record stays readable as a resource.
    const resource = await mcp.readResource({ uri: `jetson://runs/${run.id}` });
    const first = resource.contents[0];
    expect(first && "text" in first ? (JSON.parse(first.text) as FleetRun).state : undefined).toBe("aborted");
  });
});

describe("desired state with real bridges", () => {
  const status = (device: string) => call<DesiredStatus>("get_desired_state", { device });

  it("is applied when a device comes back after being offline", async () => {
    const bridge = stack.bridges.get(XAVIER);
    await bridge?.stop();
    await eventually(() => call<{ online: boolean }>("get_device", { device: XAVIER }), (d) => !d.online);
    await call("set_desired_state", { selector: `id:${XAVIER}`, state: { powerModeId: 3, clocksLocked: true } });
    expect((await status(XAVIER)).checkedAt).toBeUndefined();

    await bridge?.start();
    const kept = await eventually(() => status(XAVIER), (s) => s.checkedAt !== undefined);
    expect(kept.drift).toEqual([]);
    expect(await powerMode(XAVIER)).toBe(3);
    expect((await call<{ lockedAtMax: boolean }>("clocks_status", { device: XAVIER })).lockedAtMax).toBe(true);
    const resource = await mcp.readResource({ uri: `jetson://devices/${XAVIER}/desired-state` });
    const first = resource.contents[0];
    expect(first && "text" in first ? (JSON.parse(first.text) as DesiredStatus).desired : undefined).toEqual({ powerModeId: 3, clocksLocked: true });
  });

  it("reports drift the device refuses to fix, as the fleet's drift resource shows", async () => {
    await call("set_desired_state", { selector: "board:nano", state: { powerModeId: 4 } });
    const drifted = await eventually(() => status(NANO), (s) => s.drift.length > 0);
    expect(drifted.drift[0]).toMatchObject({ aspect: "powerMode", wanted: "mode 4", reason: expect.stringMatching(/^power\.set: /) });
    const resource = await mcp.readResource({ uri: "jetson://drift" });
    const first = resource.contents[0];
    const devices = first && "text" in first ? (JSON.parse(first.text) as { devices: Array<{ device: string }> }).devices : [];
    expect(devices.map((d) => d.device)).toContain(NANO);
  });
});

describe("a command queued for an offline device, through MCP", () => {
  it("runs when the bridge comes back, and its outcome is read afterwards", async () => {
    const bridge = stack.bridges.get(ORIN_NANO);
    await bridge?.stop();
    await eventually(() => call<{ online: boolean }>("get_device", { device: ORIN_NANO }), (d) => !d.online);
    const queued = await call<{ ran: boolean; queued: QueuedCommand }>("queue_command", {
      device: ORIN_NANO,
      action: "power.get",
      expiresInMs: 120_000,
    });
    expect(queued.ran).toBe(false);
    await bridge?.start();
    const detail = await eventually(
      () => call<CommandDetail>("get_command", { device: ORIN_NANO, commandId: queued.queued.commandId }),
      (d) => d.state === "succeeded",
    );
    expect(detail.outcome).toMatchObject({ ok: true, data: { id: await powerMode(ORIN_NANO) } });
  });
});
