import { readFile } from "node:fs/promises";
import path from "node:path";
import type { DeviceSummary, TelemetrySample, TelemetrySeries, Temperatures } from "@jetson/protocol";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimBoardFile } from "../../device-bridge/sim/types.js";
import type { LocalBridge } from "../../scripts/local-stack.js";
import { launchChromium } from "../support/chromium.js";
import { TestStack } from "../support/stack.js";

// The simulated fleet of `npm start`, misbehaving at four times the demo's pace.
const SPEED = 4;
const FAST_TELEMETRY = { telemetry: { sampleMs: 250, batchMs: 500 } };
const asRoot = process.getuid?.() === 0;

let stack: TestStack;
let mcp: Client;
let hot: LocalBridge;
let looping: LocalBridge;
let flaky: LocalBridge;

beforeAll(async () => {
  stack = await TestStack.start();
  [hot, , looping, flaky] = await Promise.all([
    stack.addBridge("camera-7", "agx-orin-jp6", { scenario: { id: "throttling", speed: SPEED }, extraConfig: FAST_TELEMETRY }),
    stack.addBridge("recorder-1", "xavier-nx-jp51", { scenario: { id: "disk-filling", speed: SPEED }, ownFilesystemBytes: 32 * 1024 ** 2, extraConfig: FAST_TELEMETRY }),
    stack.addBridge("ingest-1", "orin-nano-super-jp6", { scenario: { id: "crash-loop", speed: SPEED }, engine: true }),
    stack.addBridge("uplink-1", "nano-jp46", { flap: { upMs: 3_000, downMs: 2_000 } }),
  ]);
  mcp = await stack.mcp();
}, 180_000);

afterAll(async () => {
  await mcp?.close();
  await stack?.stop();
});

const device = (id: string) => stack.worker.api<DeviceSummary>(`/api/devices/${id}`);
const active = async (id: string) => ((await device(id)).alerts ?? []).filter((alert) => alert.clearedAt === undefined).map((alert) => alert.kind);

async function latestSample(id: string): Promise<TelemetrySample | undefined> {
  const series = await stack.worker.api<TelemetrySeries>(`/api/devices/${id}/telemetry?from=-10s&resolution=raw&maxPoints=5000`);
  return series.samples?.at(-1);
}

/** A number from the board's own sysfs: what its power mode allows. */
async function boardNumber(bridge: LocalBridge, machinePath: string): Promise<number> {
  return Number.parseInt(await readFile(path.join(bridge.root, machinePath), "utf8"), 10);
}

async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await mcp.callTool({ name, arguments: args })) as CallToolResult;
}

describe("the throttling device (camera-7)", () => {
  it("reports the hottest sensor at its trip point, CPU and GPU clocks below the mode's maximum and the fan at full, and raises the throttling alert", async () => {
    await expect.poll(() => active("camera-7"), { timeout: 90_000, interval: 500 }).toContain("throttling");
    const { layout } = JSON.parse(await readFile(path.join(hot.root, "var/lib/jetson-sim/board.json"), "utf8")) as SimBoardFile;
    const cpuMaxMHz = (await boardNumber(hot, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_max_freq")) / 1_000;
    const gpuMaxMHz = (await boardNumber(hot, `${layout.gpu.devfreqDir}/max_freq`)) / 1e6;
    const tripC = (await boardNumber(hot, `${layout.thermalZones[0]?.dir}/trip_point_0_temp`)) / 1_000;
    const sample = await latestSample("camera-7");
    expect(Math.max(...Object.values(sample?.tempsC ?? {}))).toBe(tripC);
    expect(Math.max(...(sample?.cpus ?? []).map((cpu) => cpu.freqMHz ?? 0))).toBeLessThan(cpuMaxMHz * 0.8);
    expect(sample?.gpu?.freqMHz).toBeLessThan(gpuMaxMHz * 0.8);
    expect(sample?.fan?.pwmPct).toBe(100);
    await expect(active("camera-7")).resolves.toContain("temperature");
  });

  it("gives an assistant the cause through diagnose_throttling: the alert, the hot sensors and the clocks that fell", async () => {
    await expect.poll(() => active("camera-7"), { timeout: 90_000, interval: 500 }).toContain("throttling");
    const prompt = await mcp.getPrompt({ name: "diagnose_throttling", arguments: { device: "camera-7" } });
    const attached = prompt.messages.flatMap((m) => (m.content.type === "resource" && "text" in m.content.resource ? [m.content.resource] : []));
    const summary = JSON.parse(attached.find((r) => r.uri === "jetson://devices/camera-7")?.text ?? "{}") as DeviceSummary;
    const throttling = summary.alerts?.find((alert) => alert.kind === "throttling");
    expect(throttling?.message).toMatch(/CPU capped at \d+ MHz when raised, while hot and busy/);
    expect(summary.latest?.hottestC).toBeGreaterThanOrEqual(99);
    const lastHour = attached.find((r) => r.uri === "jetson://devices/camera-7/telemetry")?.text ?? "";
    expect(lastHour).toContain("cpu.freqMHz");
    expect(lastHour).toContain("fan.pwmPct");
    const instructions = prompt.messages[0]?.content.type === "text" ? prompt.messages[0].content.text : "";
    expect(instructions).toMatch(/hardware_temperatures lists each sensor's trip points/);
    const temps = (await call("hardware_temperatures", { device: "camera-7" })).structuredContent as Temperatures;
    const atTrip = temps.sensors.filter((sensor) => sensor.tempC === sensor.trips?.find((trip) => trip.type === "passive")?.tempC);
    expect(atTrip.map((sensor) => sensor.name)).toContain("cpu-thermal");
  });
});

describe("the dashboard in Chromium", () => {
  it("shows camera-7's throttling alert in the fleet view and on its page, whose clock chart has the drop", async () => {
    await expect.poll(() => active("camera-7"), { timeout: 90_000, interval: 500 }).toContain("throttling");
    const chromium = await launchChromium();
    try {
      const page = await chromium.context.newPage();
      await page.goto(`${stack.worker.url}/signin`);
      await page.fill("#token", stack.worker.fleetToken);
      await page.keyboard.press("Enter");
      await page.waitForSelector("body[data-rendered=fleet]");
      await expect.poll(() => page.locator('#fleet-table tbody tr[data-device="camera-7"]').innerText(), { timeout: 15_000 }).toMatch(/Alerting[\s\S]*CPU capped at \d+ MHz/);
      await page.goto(`${stack.worker.url}/devices/camera-7`);
      await page.waitForSelector("body[data-rendered=device]");
      await expect.poll(() => page.locator("#alerts").innerText(), { timeout: 15_000 }).toMatch(/CPU capped at \d+ MHz when raised, while hot and busy/);
      expect(Number(await page.getAttribute("#chart-clocks svg", "data-points"))).toBeGreaterThan(0);
      const drawn = (await page.evaluate(() => fetch("/dashboard/api/devices/camera-7/telemetry?range=15m").then((r) => r.json()))) as { series: Record<string, Array<number | null>> };
      const cpu = (drawn.series["cpu.freqMHz"] ?? []).filter((v): v is number => v !== null);
      expect(cpu.at(-1)).toBeLessThan(Math.max(...cpu) * 0.8);
      expect(Math.max(...(drawn.series["fan.pwmPct"] ?? []).filter((v): v is number => v !== null))).toBe(100);
    } finally {
      await chromium.close();
    }
  });
});

describe("the disk-filling device", () => {
  it.skipIf(!asRoot)("fills its own root filesystem until the disk alert is raised", async () => {
    await expect.poll(() => active("recorder-1"), { timeout: 90_000, interval: 500 }).toContain("disk");
    expect((await device("recorder-1")).latest?.diskUsedPct).toBeGreaterThanOrEqual(90);
    const usage = await call("storage_usage", { device: "recorder-1" });
    expect(JSON.stringify(usage.structuredContent)).toMatch(/"mountpoint":"\/"/);
  });
});

describe("the crash-looping container", () => {
  it("shows through MCP a container that its engine keeps restarting, and why it fails", async () => {
    await expect
      .poll(async () => ((await call("containers_inspect", { device: "ingest-1", container: "camera-ingest" })).structuredContent as { restartCount?: number })?.restartCount ?? 0, {
        timeout: 60_000,
        interval: 500,
      })
      .toBeGreaterThanOrEqual(2);
    const logs = await call("containers_logs", { device: "ingest-1", container: "camera-ingest", tail: 20 });
    expect(JSON.stringify(logs.structuredContent)).toContain("cannot open /dev/video0: No such device");
  });
});

describe("the flapping link", () => {
  it("drops the bridge's link, and the bridge comes back by itself on a new connection", async () => {
    const first = (await device("uplink-1")).connectedSince ?? 0;
    await expect.poll(() => flaky.link?.drops ?? 0, { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(1);
    await expect
      .poll(async () => {
        const now = await device("uplink-1");
        return now.online && (now.connectedSince ?? 0) > first;
      }, { timeout: 30_000, interval: 200 })
      .toBe(true);
  });
});
