import { DEVICE_PAGE_LIMIT, type DevicePage, type ProvisionedDevice, type TimedSample } from "@jetson/protocol";
import type { Page } from "playwright-core";
import type { LocalWorker } from "../scripts/local-stack.js";
import { launchChromium } from "../test/support/chromium.js";
import { connectDevice, orinSample, publishSamples } from "../test/support/mqtt-device.js";
import { inParallel } from "./in-parallel.js";
import { latencies, percentile, round } from "./stats.js";

const FLEET = "dashboard-bench";
const MINUTE = 60_000;
const DAYS = 30;
const RUNS = 5;
const PARALLEL = 8;
const PROVISIONING_PARALLEL = 16;
/** Devices that report a sample: the fleet view's first page and more; the rest are provisioned and never seen, as devices still in their boxes. */
const REPORTING = 2 * DEVICE_PAGE_LIMIT.default;

/** A REST call that waits out the per-token rate limit instead of failing on it. */
async function call<T>(worker: LocalWorker, token: string, pathname: string, body: unknown): Promise<T> {
  for (;;) {
    const response = await fetch(`${worker.url}${pathname}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (response.status === 429) {
      await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get("Retry-After") ?? 1)));
      continue;
    }
    if (!response.ok) throw new Error(`POST ${pathname}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }
}

/** One sample from each device, so every row of the fleet view is full; the devices then go offline. */
async function reportOnce(worker: LocalWorker, devices: readonly ProvisionedDevice[]): Promise<void> {
  await inParallel(devices, PARALLEL, async (device) => {
    const client = await connectDevice(worker.url, device);
    await publishSamples(client, device.id, [orinSample(Date.now(), 40 + (device.id.length % 30), 25)]);
    await client.endAsync();
  });
}

/** 30 days of one sample a minute, backdated and sent over the device's own MQTT link as a bridge would resend its buffer. */
async function seedHistory(worker: LocalWorker, device: ProvisionedDevice): Promise<{ samples: number; seconds: number }> {
  const now = Date.now();
  const samples: TimedSample[] = Array.from({ length: DAYS * 1440 }, (_, i) => {
    const t = now - DAYS * 1440 * MINUTE + i * MINUTE;
    const hourOfDay = (t / 3_600_000) % 24;
    return orinSample(t, 48 + 12 * Math.sin((hourOfDay / 24) * 2 * Math.PI), 20 + ((i * 7) % 60));
  });
  const start = performance.now();
  const client = await connectDevice(worker.url, device);
  await publishSamples(client, device.id, samples, 1000);
  await client.endAsync();
  return { samples: samples.length, seconds: round((performance.now() - start) / 1000) };
}

async function listPage(worker: LocalWorker, token: string, params: URLSearchParams): Promise<DevicePage> {
  const response = await fetch(`${worker.url}/api/devices?${params}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`GET /api/devices?${params}: ${response.status} ${await response.text()}`);
  return (await response.json()) as DevicePage;
}

/** Walks every page of a list (REST, default page size, following nextCursor), timing each; checks each device came once and all came. */
async function walkPages(worker: LocalWorker, token: string, filters: Record<string, string>) {
  const times: number[] = [];
  const seen = new Set<string>();
  let listed = 0;
  let total = 0;
  let cursor: string | undefined;
  do {
    const params = new URLSearchParams({ ...filters, ...(cursor && { cursor }) });
    const start = performance.now();
    const page = await listPage(worker, token, params);
    times.push(performance.now() - start);
    for (const device of page.devices) seen.add(device.id);
    listed += page.devices.length;
    total = page.total;
    cursor = page.nextCursor;
  } while (cursor);
  if (seen.size !== listed || listed !== total) throw new Error(`paging ${JSON.stringify(filters)} gave ${listed} devices (${seen.size} different) of ${total}`);
  return { devices: total, pages: times.length, ...latencies(times) };
}

/** Loads the page anew `RUNS` times; each time, when the client marked its first render, and the page's JS heap after it. */
async function measure(page: Page, url: string, mark: string) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const renders: number[] = [];
  const heaps: number[] = [];
  for (let run = 0; run < RUNS + 1; run++) {
    await page.goto(url);
    await page.waitForFunction((name) => performance.getEntriesByName(name).length > 0, mark, { timeout: 60_000 });
    const renderMs = Number(await page.evaluate(`performance.getEntriesByName("${mark}")[0].startTime`));
    await cdp.send("HeapProfiler.collectGarbage");
    const { metrics } = await cdp.send("Performance.getMetrics");
    const heap = metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? Number.NaN;
    // The first load fills the browser's caches; the figures are of the loads after it.
    if (run === 0) continue;
    renders.push(renderMs);
    heaps.push(heap / 2 ** 20);
  }
  await cdp.detach();
  return {
    runs: RUNS,
    firstRenderMs: { p50: percentile(renders, 50), max: percentile(renders, 100) },
    jsHeapUsedMB: percentile(heaps, 50),
  };
}

/**
 * With the fleet view open, RUNS devices of its page in turn: from dialling the Worker until the
 * device's row says online, and from its DISCONNECT until the row says offline (pushed to the page
 * over its WebSocket, no reload).
 */
async function measureLive(page: Page, worker: LocalWorker, devices: readonly ProvisionedDevice[]) {
  const row = (id: string, status: string) => page.locator(`#fleet-table tbody tr[data-device="${id}"][data-status="${status}"]`);
  const toOnline: number[] = [];
  const toOffline: number[] = [];
  for (const device of devices.slice(0, RUNS)) {
    await row(device.id, "offline").waitFor({ timeout: 60_000 });
    const dialled = performance.now();
    const client = await connectDevice(worker.url, device);
    await row(device.id, "online").waitFor({ timeout: 60_000 });
    toOnline.push(performance.now() - dialled);
    const left = performance.now();
    await client.endAsync();
    await row(device.id, "offline").waitFor({ timeout: 60_000 });
    toOffline.push(performance.now() - left);
  }
  return { online: latencies(toOnline), offline: latencies(toOffline) };
}

/**
 * The dashboard in headless Chromium with `count` provisioned devices (10,000 at
 * BENCH_DASHBOARD_DEVICES=10000): time from navigation to the first full render of the fleet
 * view (its first page), and of a device view over 30 days of rollups, and the page's JS heap
 * (CDP Performance.getMetrics, after a garbage collection); how soon a device's status change
 * reaches the open fleet view; and the REST list's page latency
 * over the whole fleet. Devices are provisioned through the REST API (the per-token rate limit
 * lifted, as for every benchmark); the first few hundred report a sample, the rest never connect.
 */
export async function benchDashboard(worker: LocalWorker, count: number) {
  const created = await fetch(`${worker.url}/admin/fleets`, {
    method: "POST",
    headers: { Authorization: `Bearer ${worker.options.operatorToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ id: FLEET }),
  });
  const { token } = (await created.json()) as { token: string };
  const width = String(count - 1).length;
  const ids = Array.from({ length: count }, (_, i) => `jetson-${String(i).padStart(Math.max(3, width), "0")}`);
  const devices: ProvisionedDevice[] = [];
  const provisionStart = performance.now();
  await inParallel(ids, PROVISIONING_PARALLEL, async (id) => {
    devices.push(await call<ProvisionedDevice>(worker, token, "/api/devices", { id }));
  });
  const provisionSeconds = round((performance.now() - provisionStart) / 1000);
  devices.sort((a, b) => (a.id < b.id ? -1 : 1));
  const reporting = devices.slice(0, REPORTING);
  await reportOnce(worker, reporting);
  const historic = devices[0];
  if (!historic) throw new Error("no device to seed");
  const seeded = await seedHistory(worker, historic);

  const listPages = {
    [`every page of ${count} devices, ${DEVICE_PAGE_LIMIT.default} a page`]: await walkPages(worker, token, {}),
    [`every page of the offline devices the selector "id:jetson-* -board:nano" chooses`]: await walkPages(worker, token, { status: "offline", selector: "id:jetson-* -board:nano" }),
  };

  const chromium = await launchChromium();
  try {
    const page = await chromium.context.newPage();
    await page.goto(`${worker.url}/signin`);
    await page.fill("#token", token);
    await Promise.all([page.waitForURL(`${worker.url}/`), page.click("button[type=submit]")]);
    const fleetView = await measure(page, `${worker.url}/`, "dashboard:fleet-rendered");
    const rows = await page.locator("#fleet-table tbody tr").count();
    const pageSize = Math.min(count, DEVICE_PAGE_LIMIT.default);
    if (rows !== pageSize) throw new Error(`the fleet view showed ${rows} devices, not its first page of ${pageSize}`);
    const live = await measureLive(page, worker, reporting);
    const deviceView = await measure(page, `${worker.url}/devices/${historic.id}?range=30d`, "dashboard:device-rendered");
    const points = Number(await page.getAttribute("#chart-temperatures svg", "data-points"));
    return {
      [`fleet view, ${count} devices (${provisionSeconds} s to provision; ${reporting.length} reported a sample), its first page of ${pageSize} rows`]: fleetView,
      [`fleet view open: a device of its page connects, then disconnects, until its row says so (${RUNS} devices)`]: live,
      [`device view, 30 days of 1-minute rollups (${seeded.samples} samples seeded in ${seeded.seconds} s)`]: { ...deviceView, temperaturePointsDrawn: points },
      [`REST list (GET /api/devices), ${count} devices: latency of each page`]: listPages,
    };
  } finally {
    await chromium.close();
  }
}
