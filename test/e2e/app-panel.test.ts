import path from "node:path";
import type { DeviceSummary, TimedSample } from "@jetson/protocol";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO } from "../../scripts/local-stack.js";
import { celsius } from "../../worker/src/dashboard/view/format.js";
import { startAppsHost } from "../support/apps-host.js";
import { launchChromium } from "../support/chromium.js";
import { TestStack } from "../support/stack.js";

const PANEL_URI = "ui://jetson/panel";
const ARTIFACTS = path.join(REPO, "test-results/app-panel");
const PANEL_TOOLS = ["list_devices", "get_device", "telemetry_now"];
// Samples every 250 ms so the charts have points at once; the scenario heats the board from 20 s on, so its figures change.
const FAST_TELEMETRY = { telemetry: { sampleMs: 250, batchMs: 500 } };

let stack: TestStack;
let mcp: Client;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let host: Awaited<ReturnType<typeof startAppsHost>>;
let page: Page;
let panel: Awaited<ReturnType<Client["readResource"]>>["contents"][number] | undefined;
let panelHtml: string;
/** Every tool call the panel asked the host for, with what the MCP server answered. */
const forwarded: Array<{ name: string; args: Record<string, unknown>; result: CallToolResult }> = [];
/** The result the host last handed the panel, as the model's own call returned it. */
let shownResult: CallToolResult | undefined;
let shownSample: TimedSample | undefined;
/** Requests the page made, and what the browser's console reported (CSP refusals among them). */
const requested: string[] = [];
const consoleErrors: string[] = [];

const call = async (name: string, args: Record<string, unknown>) => (await mcp.callTool({ name, arguments: args })) as CallToolResult;

beforeAll(async () => {
  stack = await TestStack.start();
  await stack.addBridge("camera-7", "agx-orin-jp6", { scenario: { id: "throttling", speed: 1 }, extraConfig: FAST_TELEMETRY });
  await stack.addBridge("nano-1", "nano-jp46");
  // Enrolled, never connected: the table must show it offline.
  await stack.addBridge("spare-1", "orin-nano-super-jp6", { start: false });
  chromium = await launchChromium();
  page = await chromium.context.newPage();
  // Connected last: a client left idle about as long as the server keeps sockets open (5 s) may send on one it just closed.
  mcp = await stack.mcp();
  panel = (await mcp.readResource({ uri: PANEL_URI })).contents[0];
  panelHtml = panel && "text" in panel ? panel.text : "";
  host = await startAppsHost(panelHtml);
  page.on("request", (request) => requested.push(request.url()));
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  await page.exposeFunction("callServerTool", async (name: string, args: Record<string, unknown>) => {
    const result = await call(name, args);
    forwarded.push({ name, args, result });
    return result;
  });
}, 180_000);

afterAll(async () => {
  await chromium?.close();
  await host?.close();
  await mcp?.close();
  await stack?.stop();
});

/** Opens the host page and hands the panel a tool's input and result, as a chat does after the model called it. */
async function showInChat(name: string, args: Record<string, unknown>): Promise<Frame> {
  const result = await call(name, args);
  shownResult = result;
  shownSample = name === "telemetry_now" ? (result.structuredContent as TimedSample) : undefined;
  await page.goto(host.url);
  await page.evaluate(([tool, input, output]) => (globalThis as unknown as { showTool(...a: unknown[]): void }).showTool(tool, input, output), [name, args, result] as const);
  const frame = await (await page.waitForSelector("#view")).contentFrame();
  if (!frame) throw new Error("the host page has no view frame");
  await frame.waitForURL(/\/view/);
  return frame;
}

/** The figures on screen, read at once with the time of the sample they show. */
const figuresOf = (frame: Frame) =>
  frame.locator("#figures[data-t]").evaluate((tiles) => ({
    t: Number(tiles.getAttribute("data-t")),
    values: Object.fromEntries([...tiles.querySelectorAll(".tile")].map((tile) => [tile.getAttribute("data-metric"), tile.querySelector(".value")?.textContent])),
  }));

describe("the in-chat panel (MCP Apps) in Chromium, in a host page speaking the Apps bridge", () => {
  it("is a self-contained ui:// resource that list_devices, get_device and telemetry_now point to", async () => {
    const { tools } = await mcp.listTools();
    for (const name of PANEL_TOOLS) expect(tools.find((tool) => tool.name === name)?._meta, name).toMatchObject({ ui: { resourceUri: PANEL_URI } });
    const { resources } = await mcp.listResources();
    expect(resources.find((resource) => resource.uri === PANEL_URI)).toMatchObject({ mimeType: "text/html;profile=mcp-app" });
    expect(panel).toMatchObject({ uri: PANEL_URI, mimeType: "text/html;profile=mcp-app" });
    expect(panelHtml).toMatch(/^<!doctype html>/i);
    // Script and styles inline: nothing to fetch from anywhere.
    expect(panelHtml).not.toMatch(/<script[^>]*\ssrc=|<link[^>]*\shref=/i);
  });

  it("draws list_devices' result as the fleet table, a row per device with its state", async () => {
    const frame = await showInChat("list_devices", {});
    await frame.waitForSelector("body[data-rendered=fleet]");
    const rows = frame.locator("#fleet-table tbody tr");
    expect(await rows.evaluateAll((all) => all.map((row) => row.getAttribute("data-device")).sort())).toEqual(["camera-7", "nano-1", "spare-1"]);
    for (const id of ["camera-7", "nano-1"]) {
      expect(await frame.locator(`tr[data-device="${id}"] th`).innerText()).toBe(id);
      expect(await frame.locator(`tr[data-device="${id}"] td[data-label="Status"]`).innerText()).toMatch(/^(Online|Alerting)$/);
    }
    expect(await frame.locator('tr[data-device="spare-1"] td[data-label="Status"]').innerText()).toBe("Offline");
    await page.screenshot({ path: path.join(ARTIFACTS, "fleet.png"), fullPage: true });
    // The host grows the frame to what the panel reports.
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { sizes: Array<{ height: number }> }).sizes.at(-1)?.height ?? 0)).toBeGreaterThan(100);
  });

  it("draws get_device's result as the device's figures, from its latest telemetry, and charts with plotted points", async () => {
    const frame = await showInChat("get_device", { device: "camera-7" });
    await frame.waitForSelector("body[data-rendered=device]");
    expect(await frame.locator("h1").innerText()).toContain("camera-7");
    await expect.poll(async () => Number(await frame.locator("#chart-temperatures svg").getAttribute("data-points")), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(forwarded.some(({ name, args }) => name === "telemetry_range" && args.device === "camera-7")).toBe(true);

    await frame.waitForSelector("#figures[data-t]");
    const shown = await figuresOf(frame);
    // The sample the figures show is one the host fetched for the panel with telemetry_now, from the device.
    const sample = forwarded.find(({ name, result }) => name === "telemetry_now" && (result.structuredContent as TimedSample | undefined)?.t === shown.t)?.result.structuredContent as TimedSample | undefined;
    expect(sample?.tempsC).toBeDefined();
    for (const [sensor, value] of Object.entries(sample?.tempsC ?? {})) expect(shown.values[`temp.${sensor}`], sensor).toBe(celsius(value));
    const summary = (await call("get_device", { device: "camera-7" })).structuredContent as DeviceSummary;
    expect(await frame.locator(".facts").innerText()).toContain(summary.state?.board ?? "no board");
    await page.screenshot({ path: path.join(ARTIFACTS, "device.png"), fullPage: true });
  });

  it("takes the figures again while open, and shows what changed", async () => {
    const frame = page.frames().find((f) => f.url().includes("/view"));
    if (!frame) throw new Error("the device panel is not open");
    const before = await figuresOf(frame);
    // The board heats up under the scenario: a later telemetry_now through the host shows other figures.
    await expect.poll(async () => (await figuresOf(frame)).values, { timeout: 90_000, interval: 500 }).not.toEqual(before.values);
    const after = await figuresOf(frame);
    expect(after.t).toBeGreaterThan(before.t);
    expect(forwarded.filter(({ name }) => name === "telemetry_now").length).toBeGreaterThan(1);
  }, 120_000);

  it("draws telemetry_now's result as that device's figures, the device named by the tool's input", async () => {
    const frame = await showInChat("telemetry_now", { device: "nano-1" });
    await frame.waitForSelector("body[data-rendered=device]");
    expect(await frame.locator("h1").innerText()).toContain("nano-1");
    await frame.waitForSelector("#figures[data-t]");
    const shown = await figuresOf(frame);
    const taken = forwarded.filter(({ name, args }) => name === "telemetry_now" && args.device === "nano-1").map(({ result }) => result.structuredContent as TimedSample);
    const sample = [shownSample, ...taken].find((candidate) => candidate?.t === shown.t);
    expect(sample?.tempsC).toBeDefined();
    for (const [sensor, value] of Object.entries(sample?.tempsC ?? {})) expect(shown.values[`temp.${sensor}`], sensor).toBe(celsius(value));
  });

  it("shows a tool's error result as its message", async () => {
    const frame = await showInChat("get_device", { device: "no-such-device" });
    const message = (shownResult?.content?.[0] as { text?: string } | undefined)?.text;
    expect(shownResult?.isError).toBe(true);
    expect(message).toBeTruthy();
    await expect.poll(() => frame.locator("[role=alert]").innerText()).toBe(message);
  });

  it("loaded nothing but the host's own page and view, and broke no rule of the host's CSP", () => {
    const origins = new Set(requested.map((url) => new URL(url).origin));
    expect([...origins]).toEqual([host.url]);
    expect(requested.filter((url) => !url.endsWith("/csp-report")).map((url) => new URL(url).pathname).sort()).toEqual(expect.arrayContaining(["/", "/view"]));
    expect(host.violations).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
