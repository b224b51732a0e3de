import type { DeviceSummary, PowerModes, TelemetrySeries } from "@jetson/protocol";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalBridge } from "../../scripts/local-stack.js";
import { TestStack } from "../support/stack.js";

let stack: TestStack;
let mcp: Client;
let orin: LocalBridge;

/** Samples every 250 ms, sent every 500 ms: enough resolution to see a gap. */
const FAST_TELEMETRY = { telemetry: { sampleMs: 250, batchMs: 500 } };

beforeAll(async () => {
  stack = await TestStack.start();
  orin = await stack.addBridge("agx-orin-1", "agx-orin-jp6", { extraConfig: FAST_TELEMETRY });
  mcp = await stack.mcp();
});

afterAll(async () => {
  await mcp?.close();
  await stack?.stop();
});

async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await mcp.callTool({ name, arguments: args })) as CallToolResult;
}

async function samples(device: string, from: number, to = Date.now()): Promise<NonNullable<TelemetrySeries["samples"]>> {
  const series = await stack.worker.api<TelemetrySeries>(`/api/devices/${device}/telemetry?from=${from}&to=${to}&resolution=raw&maxPoints=5000`);
  return series.samples ?? [];
}

const onlineCpus = (sample: { cpus?: Array<{ online?: false }> }) => sample.cpus?.filter((cpu) => cpu.online !== false).length;

describe("power modes through MCP on a simulated AGX Orin", () => {
  it("refuses a mode id the board does not have, listing the valid ones", async () => {
    const result = await call("power_set", { device: "agx-orin-1", id: 7 });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/Valid modes: 0 \(MAXN\), 1 \(MODE_15W\), 2 \(MODE_30W\), 3 \(MODE_50W\)/);
  });

  it("reaches 15 W, whose GPU TPC mask differs from 30 W's, only through a reboot: then fewer CPUs online, on the board and in the telemetry the cloud stores", async () => {
    const modes = (await call("power_modes", { device: "agx-orin-1" })).structuredContent as PowerModes;
    expect(modes.modes.map((m) => [m.name, m.rebootRequired])).toEqual([
      ["MAXN", true],
      ["MODE_15W", true],
      ["MODE_30W", false],
      ["MODE_50W", true],
    ]);
    const before = await call("telemetry_now", { device: "agx-orin-1" });
    const cpusBefore = onlineCpus(before.structuredContent as { cpus?: Array<{ online?: false }> });
    const declined = await call("power_set", { device: "agx-orin-1", name: "mode_15w" });
    expect(declined.isError).toBe(true);
    expect(JSON.stringify(declined.content)).toMatch(/MODE_15W \(1\) needs a reboot on this board .*so nothing was changed\. To switch, call power\.reboot with powerModeId 1/);
    expect((await call("power_get", { device: "agx-orin-1" })).structuredContent).toMatchObject({ id: 2, name: "MODE_30W" });
    const summary = () => stack.worker.api<DeviceSummary>("/api/devices/agx-orin-1");
    const connectedBefore = (await summary()).connectedSince;
    const bridgeBefore = orin.running.pid;
    const result = await call("power_reboot", { device: "agx-orin-1", powerModeId: 1, confirm: true });
    expect(result.structuredContent).toMatchObject({ rebooting: true, powerMode: { id: 1, name: "MODE_15W" } });
    const switched = Date.now();
    // The reboot ends the bridge; started again after the boot, it connects anew and reports the mode it booted into.
    await expect
      .poll(async () => {
        const { online, connectedSince, state } = await summary();
        return online && connectedSince !== connectedBefore ? state?.powerMode : undefined;
      }, { timeout: 30_000, interval: 200 })
      .toMatchObject({ id: 1, name: "MODE_15W" });
    expect(orin.running.pid).not.toBe(bridgeBefore);
    expect((await call("power_get", { device: "agx-orin-1" })).structuredContent).toMatchObject({ id: 1, name: "MODE_15W" });
    const after = await call("telemetry_now", { device: "agx-orin-1" });
    expect(onlineCpus(after.structuredContent as { cpus?: Array<{ online?: false }> })).toBe(4);
    expect(cpusBefore).toBeGreaterThan(4);
    await expect.poll(async () => (await samples("agx-orin-1", switched + 500)).some((s) => onlineCpus(s) === 4), { timeout: 15_000 }).toBe(true);
  });
});

describe("identity and the fan through MCP on a simulated AGX Orin", () => {
  it("names the board's serial number and chooses an nvfancontrol profile", async () => {
    expect((await call("hardware_info", { device: "agx-orin-1" })).structuredContent).toMatchObject({ serialNumber: "1424122012345", jetpack: "6.2.1" });
    const both = await call("fan_set", { device: "agx-orin-1", pwmPct: 50, profile: "cool" });
    expect(both.isError).toBe(true);
    expect(JSON.stringify(both.content)).toMatch(/either pwmPct or profile/);
    const set = await call("fan_set", { device: "agx-orin-1", profile: "cool" });
    expect(set.structuredContent).toMatchObject({ nvfancontrol: { running: true, profile: "cool", defaultProfile: "cool" } });
    expect((await call("fan_get", { device: "agx-orin-1" })).structuredContent).toMatchObject({ nvfancontrol: { profile: "cool" } });
  });
});

describe("offline buffering", () => {
  it("keeps sampling while the cloud is unreachable and fills the history's gap on reconnect", async ({ onTestFailed }) => {
    // What the bridge said about its link and its batches is what tells a lost batch from a stuck one.
    onTestFailed(() => console.log(`bridge agx-orin-1's log:\n${orin.running.output}`));
    const reconnected = orin.running.nextLine(/connected to /);
    // Frozen, the Worker leaves the batch the bridge sends next unacknowledged: the link then drops
    // with a batch in flight, the case that once lost it and stalled every later one.
    stack.worker.freeze();
    const down = Date.now();
    // The outage itself: a stretch of time with the Worker gone, not a wait for an event.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    await stack.worker.stop("SIGKILL");
    const up = Date.now();
    await stack.worker.start();
    await reconnected;
    await expect.poll(async () => (await samples("agx-orin-1", down, up)).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(20);
    const gap = await samples("agx-orin-1", down - 2_000, up + 2_000);
    const times = gap.map((s) => s.t).sort((a, b) => a - b);
    const largestStep = Math.max(...times.slice(1).map((t, i) => t - (times[i] ?? t)));
    expect(largestStep).toBeLessThan(1_000);
  });
});
