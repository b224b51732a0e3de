import { mkdir } from "node:fs/promises";
import path from "node:path";
import { MAX_RECENT_ALERTS, topicFor } from "@jetson/protocol";
import type { MqttClient } from "mqtt";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { SimBoardId } from "../../device-bridge/sim/index.js";
import { REPO } from "../../scripts/local-stack.js";
import { MAX_LIVE_PER_TOKEN } from "../../worker/src/dashboard/live-messages.js";
import { launchChromium } from "../support/chromium.js";
import { connectDevice, orinSample, publishSamples } from "../support/mqtt-device.js";
import { TestStack } from "../support/stack.js";

/** The simulated fleet `npm start` runs: one device per simulated board, in the power mode each board starts in. */
const FLEET: ReadonlyArray<{ id: string; board: SimBoardId; powerMode: string; tags: string[] }> = [
  { id: "agx-orin-1", board: "agx-orin-jp6", powerMode: "MODE_30W (2)", tags: ["lab", "rack-2"] },
  { id: "orin-nano-1", board: "orin-nano-super-jp6", powerMode: "25W (1)", tags: ["lab"] },
  { id: "xavier-nx-1", board: "xavier-nx-jp51", powerMode: "MODE_15W_6CORE (2)", tags: ["warehouse"] },
  { id: "nano-1", board: "nano-jp46", powerMode: "MAXN (0)", tags: [] },
];
const ARTIFACTS = path.join(REPO, "test-results/dashboard");
const HOUR = 3_600_000;

let stack: TestStack;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let context: BrowserContext;
let page: Page;
let viewerToken: string;
let probe: MqttClient | undefined;

const url = (pathname: string) => `${stack.worker.url}${pathname}`;
const rowOf = (id: string) => page.locator(`#fleet-table tbody tr[data-device="${id}"]`);
const cellOf = (id: string, label: string) => rowOf(id).locator(`td[data-label="${label}"]`);
const shownIds = () => page.locator("#fleet-table tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-device")));

/** Through the REST route operators use (as the fleet operations tests do). */
const setTags = (id: string, tags: string[]) => stack.worker.api(`/api/devices/${id}/tags`, { method: "PUT", body: JSON.stringify({ tags }) });

async function sessionCookie(): Promise<string> {
  const cookie = (await context.cookies(stack.worker.url)).find((c) => c.name === "jetson_session");
  if (!cookie) throw new Error("no session cookie");
  return `${cookie.name}=${cookie.value}`;
}

/** Answers the live channel's WebSocket upgrade with its HTTP status (101 when it opens). */
function upgradeStatus(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url("/dashboard/live").replace("http", "ws"), { headers: { Origin: stack.worker.url, ...headers } });
    ws.once("open", () => {
      ws.close();
      resolve(101);
    });
    ws.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
    ws.once("error", reject);
  });
}

beforeAll(async () => {
  // Figures alone reach the fleet view as the devices publish them, rather than at most once a minute.
  stack = await TestStack.start({ SUMMARY_FIGURES_EVERY_MS: "1" });
  for (const { id, board, tags } of FLEET) {
    await stack.addBridge(id, board);
    if (tags.length > 0) await setTags(id, tags);
  }
  viewerToken = (
    await stack.worker.api<{ token: string }>("/api/tokens", { method: "POST", body: JSON.stringify({ name: "dashboard viewer", scopes: ["read"] }) })
  ).token;
  await mkdir(ARTIFACTS, { recursive: true });
  chromium = await launchChromium();
  context = chromium.context;
  page = await context.newPage();
});

afterAll(async () => {
  await probe?.endAsync();
  await chromium?.close();
  await stack?.stop();
});

describe("the dashboard in Chromium, against wrangler dev with simulated bridges", () => {
  it("shows a visitor without credentials no device data, and its data routes refuse them", async () => {
    for (const pathname of ["/", "/devices/agx-orin-1"]) {
      await page.goto(url(pathname));
      expect(new URL(page.url()).pathname).toBe("/signin");
      const text = await page.locator("body").innerText();
      expect(text).not.toContain("agx-orin-1");
      expect(text).not.toContain("NVIDIA Jetson");
    }
    const routes = ["/dashboard/api/devices", "/dashboard/api/devices/agx-orin-1", "/dashboard/api/devices/agx-orin-1/telemetry?range=15m", "/dashboard/api/session"];
    for (const route of routes) {
      for (const cookie of [undefined, "jetson_session=local.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]) {
        const response = await fetch(url(route), { headers: cookie ? { Cookie: cookie } : {} });
        expect(response.status, `${route} ${cookie ?? "no cookie"}`).toBe(401);
        expect(await response.text()).not.toContain("agx-orin-1");
      }
    }
    expect(await page.evaluate(() => fetch("/dashboard/api/devices").then((r) => r.status))).toBe(401);
    expect(await upgradeStatus({})).toBe(401);
    // An API token is not a dashboard session either: the data routes take only the cookie.
    const withBearer = await fetch(url("/dashboard/api/devices"), { headers: { Authorization: `Bearer ${viewerToken}` } });
    expect(withBearer.status).toBe(401);
  });

  it("signs in with a read-only token of the fleet and lists the simulated devices", async () => {
    await page.goto(url("/signin"));
    await page.fill("#token", "jft_local_not-a-real-token-at-all-000000");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("[role=alert]").innerText()).toContain("not a live API token");

    await page.fill("#token", viewerToken);
    await page.keyboard.press("Enter");
    await page.waitForSelector("body[data-rendered=fleet]");
    expect(new URL(page.url()).pathname).toBe("/");
    for (const { id } of FLEET) await expect.poll(() => rowOf(id).count()).toBe(1);
    await expect.poll(() => rowOf("agx-orin-1").innerText()).toContain("NVIDIA Jetson AGX Orin");
    // Each bridge reports the mode nvpmodel -q gives on its board, and the tags operators set show with it.
    for (const { id, powerMode, tags } of FLEET) {
      await expect.poll(() => cellOf(id, "Power mode").innerText()).toBe(powerMode);
      expect(await cellOf(id, "Tags").locator("li").allInnerTexts()).toEqual(tags);
    }
    await expect.poll(() => page.locator("#live-status").innerText()).toBe("Live");

    const [cookie] = await context.cookies(stack.worker.url);
    expect(cookie).toMatchObject({ name: "jetson_session", httpOnly: true, sameSite: "Strict", path: "/", secure: false });
    expect(cookie?.value).not.toContain(viewerToken);

    // Bridges publish every 5 s, and CPU load needs two samples: once each row shows both the fleet is worth a picture.
    for (const { id } of FLEET) {
      await expect.poll(() => rowOf(id).innerText(), { timeout: 30_000 }).toMatch(/\d °C/);
      await expect.poll(() => cellOf(id, "CPU").innerText(), { timeout: 30_000 }).toMatch(/^\d+(\.\d)? %$/);
    }
    await page.screenshot({ path: path.join(ARTIFACTS, "fleet.png"), fullPage: true });
  });

  it("filters by status, board and tag, and sorts from the keyboard", async () => {
    // Boards by family, as selectors name them (board:xavier-nx).
    expect(await page.locator("#filter-board option").allInnerTexts()).toEqual(["All", "agx-orin", "nano", "orin-nano", "xavier-nx"]);
    await page.selectOption("#filter-board", "xavier-nx");
    await expect.poll(() => page.locator("#fleet-table tbody tr").count()).toBe(1);
    expect(new URL(page.url()).searchParams.get("board")).toBe("xavier-nx");
    await page.selectOption("#filter-board", "all");
    await page.selectOption("#filter-status", "offline");
    await expect.poll(() => page.locator("#fleet-table tbody tr").count()).toBe(0);
    // Rows leave as the snapshot arrives; the message shows at the next frame, which a loaded machine delays.
    await expect.poll(() => page.getByText("No devices match these filters.").isVisible()).toBe(true);
    await page.selectOption("#filter-status", "all");
    await expect.poll(() => page.locator("#fleet-table tbody tr").count()).toBe(FLEET.length);

    await page.focus("button[data-sort=id]");
    await page.keyboard.press("Enter");
    await expect.poll(shownIds).toEqual(FLEET.map((d) => d.id).sort());
    await page.keyboard.press("Enter");
    await expect.poll(shownIds).toEqual(FLEET.map((d) => d.id).sort().reverse());
    expect(await page.getAttribute("th:has(button[data-sort=id])", "aria-sort")).toBe("descending");

    // Power modes sort by name; ids differ per board.
    await page.focus("button[data-sort=powerMode]");
    await page.keyboard.press("Enter");
    await expect.poll(shownIds).toEqual(["orin-nano-1", "nano-1", "xavier-nx-1", "agx-orin-1"]);
  });

  it("filters by tag from the keyboard, and the live updates follow the filter", async () => {
    expect(await page.locator("#filter-tag option").allInnerTexts()).toEqual(["All", "lab", "rack-2", "warehouse"]);
    await page.focus("#filter-tag");
    await page.keyboard.press("ArrowDown");
    await expect.poll(shownIds).toEqual(["orin-nano-1", "agx-orin-1"]);
    expect(new URL(page.url()).searchParams.get("tag")).toBe("lab");
    await expect.poll(() => page.locator("#fleet-counts").innerText()).toContain("(2 shown)");

    // Tags changed elsewhere move devices into and out of the filtered view without a reload.
    await setTags("xavier-nx-1", ["warehouse", "lab"]);
    await expect.poll(shownIds).toEqual(["orin-nano-1", "xavier-nx-1", "agx-orin-1"]);
    await setTags("agx-orin-1", ["rack-2"]);
    await expect.poll(shownIds).toEqual(["orin-nano-1", "xavier-nx-1"]);
    // A bookmarked filter holds on a fresh load, as does a tag spelt like "all".
    await page.reload();
    await page.waitForSelector("body[data-rendered=fleet]");
    await expect.poll(shownIds).toEqual(["orin-nano-1", "xavier-nx-1"]);
    expect(await page.inputValue("#filter-tag")).toBe("lab");

    await setTags("nano-1", ["all"]);
    await page.selectOption("#filter-tag", "all");
    await expect.poll(shownIds).toEqual(["nano-1"]);
    await page.selectOption("#filter-tag", "");
    await expect.poll(() => page.locator("#fleet-table tbody tr").count()).toBe(FLEET.length);
    expect(new URL(page.url()).searchParams.has("tag")).toBe(false);

    // A fleet without tags still offers "All" on a fresh load, not an empty list.
    for (const { id } of FLEET) await setTags(id, []);
    await page.reload();
    await page.waitForSelector("body[data-rendered=fleet]");
    expect(await page.locator("#filter-tag option").allInnerTexts()).toEqual(["All"]);
    for (const { id, tags } of FLEET) await setTags(id, tags);
  });

  it("shows a power mode changed through MCP without a reload", async () => {
    // Gone if the page reloads.
    await page.evaluate(`document.body.dataset.beforePowerSet = "yes"`);
    const mcp = await stack.mcp();
    try {
      // 15W shares 25W's GPU TPC mask, so it applies without a reboot.
      const result = await mcp.callTool({ name: "power_set", arguments: { device: "orin-nano-1", id: 0 } });
      expect(result.structuredContent).toMatchObject({ changed: true, current: { id: 0, name: "15W" } });
    } finally {
      await mcp.close();
    }
    await expect.poll(() => cellOf("orin-nano-1", "Power mode").innerText()).toBe("15W (0)");
    expect(await page.evaluate("document.body.dataset.beforePowerSet")).toBe("yes");
  });

  it("shows a telemetry value published by a device without a reload", async () => {
    const device = await stack.worker.provision("live-probe");
    // The new device appears without a reload: provisioning alone pushes its summary.
    await expect.poll(() => rowOf("live-probe").count(), { timeout: 2_000 }).toBe(1);

    probe = await connectDevice(stack.worker.url, device);
    // 30 days of history, one sample an hour, then the last 15 minutes every 10 s; the newest at 40 °C.
    const now = Date.now();
    const history = [
      ...Array.from({ length: 30 * 24 }, (_, i) => orinSample(now - 30 * 24 * HOUR + (i + 1) * HOUR - 20 * 60_000, 45 + 10 * Math.sin(i / 6), 20 + (i % 24) * 2)),
      ...Array.from({ length: 90 }, (_, i) => orinSample(now - 15 * 60_000 + i * 10_000, 40 + (i % 5), 30)),
    ];
    history[history.length - 1] = orinSample(now - 1_000, 40, 30);
    await publishSamples(probe, device.id, history);
    await expect.poll(() => rowOf("live-probe").innerText(), { timeout: 15_000 }).toContain("40.0 °C");

    await publishSamples(probe, device.id, [orinSample(Date.now(), 77.7, 91)]);
    await rowOf("live-probe").filter({ hasText: "77.7 °C" }).waitFor();
    expect(await rowOf("live-probe").innerText()).toContain("91 %");
  });

  it("charts a device's history over 15 minutes, 24 hours and 30 days", async () => {
    await page.goto(url("/devices/live-probe?range=30d"));
    await page.waitForSelector("body[data-rendered=device]");
    const points = (chart: string) => page.getAttribute(`#chart-${chart} svg`, "data-points").then(Number);
    // 720 hourly samples in 90-minute buckets, five sensors each.
    expect(await points("temperatures")).toBeGreaterThan(400 * 5);
    expect(await points("power")).toBeGreaterThan(400);
    expect(await page.locator("#chart-power figcaption").innerText()).toContain("W");

    await page.click("button[data-range='24h']");
    await expect.poll(() => points("load")).toBeGreaterThan(2 * 24);
    await page.click("button[data-range='15m']");
    await expect.poll(() => points("memory")).toBeGreaterThan(80);
    expect(new URL(page.url()).searchParams.get("range")).toBe("15m");
  });

  it("shows a bridge's device live, with its recent commands and alerts", async () => {
    await stack.worker.api("/api/devices/agx-orin-1/actions/system.ping", { method: "POST", body: "{}" });
    await page.goto(url("/devices/agx-orin-1"));
    await page.waitForSelector("body[data-rendered=device]");
    await expect.poll(() => page.locator("#commands").innerText()).toContain("system.ping");
    await expect.poll(() => page.locator(".facts").innerText()).toMatch(/Power mode\s+MODE_30W \(2\)/);
    expect(await page.locator("#alerts").innerText()).toContain("No active alerts");
    expect(await page.locator("#containers").innerText()).toMatch(/containers/i);
    const points = () => page.getAttribute("#chart-temperatures svg", "data-points").then(Number);
    const before = await points();
    expect(before).toBeGreaterThan(0);
    // The bridge's next batch reaches the chart through the push channel, without a reload.
    await expect.poll(points, { timeout: 15_000 }).toBeGreaterThan(before);
    await page.screenshot({ path: path.join(ARTIFACTS, "device.png"), fullPage: true });
  });

  it("turns the table into cards on a phone-sized screen", async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(url("/"));
    await phone.waitForSelector("body[data-rendered=fleet]");
    await expect.poll(() => phone.locator("#fleet-table tbody tr").count()).toBe(FLEET.length + 1);
    expect(await phone.evaluate(`getComputedStyle(document.querySelector("#fleet-table tbody tr")).display`)).toBe("grid");
    // Nothing wider than the screen: no sideways scrolling.
    expect(await phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);
    await phone.screenshot({ path: path.join(ARTIFACTS, "fleet-phone.png"), fullPage: true });
    await phone.close();
  });

  it("pages through a fleet larger than one page, each device once, and keeps a page to its size while devices beyond it change", async () => {
    const ids = [...FLEET.map((d) => d.id), "live-probe"].sort();
    await page.goto(url("/?limit=2&sort=id"));
    await page.waitForSelector("body[data-rendered=fleet]");
    const seen: string[] = [];
    for (let n = 0; n < Math.ceil(ids.length / 2); n++) {
      if (n > 0) await page.click("#page-next");
      await expect.poll(shownIds).toEqual(ids.slice(2 * n, 2 * n + 2));
      seen.push(...((await shownIds()) as string[]));
      await expect.poll(() => page.locator("#page-position").innerText()).toBe(`${2 * n + 1}–${Math.min(2 * n + 2, ids.length)} of ${ids.length}`);
    }
    expect(seen).toEqual(ids);
    expect(await page.isDisabled("#page-next")).toBe(true);
    await page.click("#page-previous");
    await expect.poll(shownIds).toEqual(ids.slice(2, 4));
    await page.click("#page-previous");
    await expect.poll(shownIds).toEqual(ids.slice(0, 2));
    expect(await page.isDisabled("#page-previous")).toBe(true);

    // A device on a later page changes, then one on this page: only this page's reaches it, and the page keeps two rows.
    await setTags(ids[4] ?? "", ["beyond"]);
    await setTags(ids[1] ?? "", ["here"]);
    await expect.poll(() => cellOf(ids[1] ?? "", "Tags").innerText()).toBe("here");
    expect(await page.locator("#fleet-table tbody tr").count()).toBe(2);

    // A stale cursor from a bookmark is refused with its reason, and the first page shown.
    await page.goto(url("/?limit=2&sort=id&status=offline&cursor=not-a-cursor"));
    await expect.poll(() => page.locator("[role=alert]").innerText()).toMatch(/cursor/);
    await page.waitForSelector("body[data-rendered=fleet]");
    expect(new URL(page.url()).searchParams.has("cursor")).toBe(false);
  });

  it("sends a dashboard one page and the fleet's counts when it opens, not the fleet", async () => {
    const cookie = await sessionCookie();
    const ws = new WebSocket(url("/dashboard/live?limit=2").replace("http", "ws"), { headers: { Origin: stack.worker.url, Cookie: cookie } });
    const snapshot = await new Promise<{ devices: Array<{ id: string }>; page: { total: number; nextCursor?: string; counts: Record<string, number> } }>((resolve, reject) => {
      ws.once("message", (data) => resolve(JSON.parse(String(data))));
      ws.once("error", reject);
    });
    ws.close();
    expect(snapshot.devices).toHaveLength(2);
    expect(snapshot.page.total).toBe(FLEET.length + 1);
    expect(snapshot.page.nextCursor).toEqual(expect.any(String));
    expect(Object.values(snapshot.page.counts).reduce((a, b) => a + b, 0)).toBe(FLEET.length + 1);
  });

  it("says how many alerts cleared in the last 24 hours its device page leaves out", async () => {
    const device = await stack.worker.provision("flapping-probe");
    await stack.worker.api(`/api/devices/${device.id}/alerts/thresholds`, { method: "PUT", body: JSON.stringify({ clearAfterSeconds: 0 }) });
    // Hot, then cool, a second apart: each pair raises a temperature alert and clears it; three more than the page lists.
    const cycles = MAX_RECENT_ALERTS + 3;
    const start = Date.now() - 2 * cycles * 1_000;
    const flapping = await connectDevice(stack.worker.url, device);
    try {
      await publishSamples(flapping, device.id, Array.from({ length: 2 * cycles }, (_, i) => orinSample(start + i * 1_000, i % 2 === 0 ? 95 : 40, 20)));
    } finally {
      await flapping.endAsync();
    }
    await page.goto(url(`/devices/${device.id}`));
    await page.waitForSelector("body[data-rendered=device]");
    await expect.poll(() => page.locator("#past-alerts li").count()).toBe(MAX_RECENT_ALERTS);
    expect(await page.locator("#past-alerts-omitted").innerText()).toBe("3 older ones are not shown.");
  });

  it("shows the device's own message when its container listing fails", async () => {
    const device = await stack.worker.provision("no-engine-probe");
    const board = await connectDevice(stack.worker.url, device);
    // What a bridge answers when no container engine runs on its board.
    const message = "Docker is not running or its socket /var/run/docker.sock is missing: start it with sudo systemctl start docker.";
    board.on("message", (_topic, payload) => {
      const { id } = JSON.parse(String(payload)) as { id: string };
      void board.publishAsync(topicFor(device.id, "result"), JSON.stringify({ id, startedAt: 1, endedAt: 2, ok: false, error: { code: "unavailable", message } }), { qos: 1 });
    });
    try {
      await board.subscribeAsync(topicFor(device.id, "command"), { qos: 1 });
      await board.publishAsync(topicFor(device.id, "state"), JSON.stringify({ hostname: device.id, bridgeVersion: "0.1.0", capabilities: ["containers.list"] }), { qos: 1 });
      await page.goto(url(`/devices/${device.id}`));
      await page.waitForSelector("body[data-rendered=device]");
      await page.click("#containers button");
      await page.locator("#containers .error").waitFor();
      expect(await page.locator("#containers .error").innerText()).toBe(message);
    } finally {
      await board.endAsync();
    }
  });

  it("pauses the oldest tab of a token that opens more dashboards than it may, saying how to resume", async () => {
    // A token of its own: the tab's is then the oldest of its dashboards.
    const token = (await stack.worker.api<{ token: string }>("/api/tokens", { method: "POST", body: JSON.stringify({ name: "many tabs", scopes: ["read"] }) })).token;
    await context.clearCookies();
    await page.goto(url("/signin"));
    await page.fill("#token", token);
    await page.keyboard.press("Enter");
    await page.waitForSelector("body[data-rendered=fleet]");
    await expect.poll(() => page.locator("#live-status").innerText()).toBe("Live");
    const cookie = await sessionCookie();
    const newer = await Promise.all(
      Array.from(
        { length: MAX_LIVE_PER_TOKEN },
        () =>
          new Promise<WebSocket>((resolve, reject) => {
            const ws = new WebSocket(url("/dashboard/live").replace("http", "ws"), { headers: { Origin: stack.worker.url, Cookie: cookie } });
            ws.once("open", () => resolve(ws));
            ws.once("error", reject);
          }),
      ),
    );
    try {
      // Chromium reports a close once the connection is gone, up to 2 s after the close frame.
      await page.locator("#live-status", { hasText: "Paused" }).waitFor();
      expect(await page.locator("#live-status").innerText()).toBe("Paused: open in too many other tabs. Reload to resume.");
    } finally {
      for (const ws of newer) ws.close();
    }
  });

  it("signs out: the session ends and its cookie opens nothing", async () => {
    const cookie = await sessionCookie();
    expect((await fetch(url("/dashboard/api/devices"), { headers: { Cookie: cookie } })).status).toBe(200);
    expect(await upgradeStatus({ Cookie: cookie })).toBe(101);
    await page.goto(url("/"));
    await page.click("text=Sign out");
    await page.waitForURL(url("/signin"));
    expect((await fetch(url("/dashboard/api/devices"), { headers: { Cookie: cookie } })).status).toBe(401);
    expect(await upgradeStatus({ Cookie: cookie })).toBe(401);
    expect((await context.cookies(stack.worker.url)).find((c) => c.name === "jetson_session")).toBeUndefined();
  });
});
