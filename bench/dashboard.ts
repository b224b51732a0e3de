import type { ProvisionedDevice, TimedSample } from "@jetson/protocol";
import type { Page } from "playwright-core";
import type { LocalWorker } from "../scripts/local-stack.js";
import { launchChromium } from "../test/support/chromium.js";
import { connectDevice, orinSample, publishSamples } from "../test/support/mqtt-device.js";
import { percentile, round } from "./stats.js";

const FLEET = "dashboard-bench";
const MINUTE = 60_000;
const DAYS = 30;
const RUNS = 5;
const PARALLEL = 8;

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

async function inParallel<T>(items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await run(item);
  }));
}

/** One sample from each device, so every row of the fleet view is full; the devices then go offline. */
async function reportOnce(worker: LocalWorker, devices: readonly ProvisionedDevice[]): Promise<void> {
  await inParallel(devices, async (device) => {
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
 * The dashboard in headless Chromium with 200 provisioned devices: time from navigation
 * to the first full render of the fleet view, and of a device view over 30 days of
 * rollups, and the page's JS heap (CDP Performance.getMetrics, after a garbage collection).
 */
export async function benchDashboard(worker: LocalWorker, count: number) {
  const created = await fetch(`${worker.url}/admin/fleets`, {
    method: "POST",
    headers: { Authorization: `Bearer ${worker.options.operatorToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ id: FLEET }),
  });
  const { token } = (await created.json()) as { token: string };
  const ids = Array.from({ length: count }, (_, i) => `jetson-${String(i).padStart(3, "0")}`);
  const devices: ProvisionedDevice[] = [];
  await inParallel(ids, async (id) => {
    devices.push(await call<ProvisionedDevice>(worker, token, "/api/devices", { id }));
  });
  await reportOnce(worker, devices);
  const historic = devices.find((d) => d.id === ids[0]);
  if (!historic) throw new Error("no device to seed");
  const seeded = await seedHistory(worker, historic);

  const chromium = await launchChromium();
  try {
    const page = await chromium.context.newPage();
    await page.goto(`${worker.url}/signin`);
    await page.fill("#token", token);
    await Promise.all([page.waitForURL(`${worker.url}/`), page.click("button[type=submit]")]);
    const fleetView = await measure(page, `${worker.url}/`, "dashboard:fleet-rendered");
    const rows = await page.locator("#fleet-table tbody tr").count();
    if (rows !== count) throw new Error(`the fleet view showed ${rows} devices, not ${count}`);
    const deviceView = await measure(page, `${worker.url}/devices/${historic.id}?range=30d`, "dashboard:device-rendered");
    const points = Number(await page.getAttribute("#chart-temperatures svg", "data-points"));
    return {
      [`fleet view, ${count} devices`]: fleetView,
      [`device view, 30 days of 1-minute rollups (${seeded.samples} samples seeded in ${seeded.seconds} s)`]: { ...deviceView, temperaturePointsDrawn: points },
    };
  } finally {
    await chromium.close();
  }
}
