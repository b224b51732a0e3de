import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { DeviceSummary, TelemetrySeries } from "@jetson/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/ports.js";
import { ManagedProcess } from "../../scripts/processes.js";
import { TestStack } from "../support/stack.js";

// Prometheus from Debian (scripts/test.sh installs it), scraping the local Worker as a fleet operator would.
const DEVICE = "metrics-orin";
const FAST_TELEMETRY = { telemetry: { sampleMs: 250, batchMs: 500 } };
const OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

let stack: TestStack;
let prometheus: ManagedProcess;
let prometheusUrl: string;
let readToken: string;

interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

const scrape = (token: string | undefined, accept?: string) =>
  fetch(`${stack.worker.url}/metrics`, {
    headers: { ...(token !== undefined && { Authorization: `Bearer ${token}` }), ...(accept !== undefined && { Accept: accept }) },
  });

async function prom<T>(pathname: string): Promise<T> {
  const response = await fetch(`${prometheusUrl}${pathname}`);
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== "success") throw new Error(`${pathname}: ${body.error}`);
  return body.data;
}

async function createToken(scopes: string[]): Promise<string> {
  const { token } = await stack.worker.api<{ token: string }>("/api/tokens", { method: "POST", body: JSON.stringify({ name: `metrics ${scopes.join(" ")}`, scopes }) });
  return token;
}

beforeAll(async () => {
  stack = await TestStack.start();
  await stack.addBridge(DEVICE, "agx-orin-jp6", { extraConfig: FAST_TELEMETRY });
  readToken = await createToken(["read"]);

  const port = await freePort();
  prometheusUrl = `http://127.0.0.1:${port}`;
  const config = path.join(stack.dir, "prometheus.yml");
  await writeFile(
    config,
    [
      "global: { scrape_interval: 1s, scrape_timeout: 1s }",
      "scrape_configs:",
      "  - job_name: jetson",
      "    metrics_path: /metrics",
      `    authorization: { credentials: "${readToken}" }`,
      `    static_configs: [{ targets: ["127.0.0.1:${new URL(stack.worker.url).port}"] }]`,
      "",
    ].join("\n"),
  );
  prometheus = ManagedProcess.start("prometheus", "prometheus", [
    `--config.file=${config}`,
    `--storage.tsdb.path=${path.join(stack.dir, "prometheus-data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  await prometheus.waitForLine(/Server is ready to receive web requests/, 60_000);
}, 180_000);

afterAll(async () => {
  await prometheus?.stop();
  await stack?.stop();
});

describe("a real Prometheus scraping /metrics", () => {
  it("scrapes the fleet with a read token and answers a device's temperatures as its telemetry has them", async () => {
    await expect
      .poll(async () => (await prom<{ activeTargets: Array<{ health: string; lastError: string }> }>("/api/v1/targets")).activeTargets[0], { timeout: 30_000, interval: 250 })
      .toMatchObject({ health: "up", lastError: "" });
    // Both families at one evaluation time come from the same scrape: the temperatures and when their sample was taken.
    const query = encodeURIComponent(`{__name__=~"jetson_temperature_celsius|jetson_telemetry_timestamp_seconds",device="${DEVICE}"}`);
    let result: PromSample[] = [];
    await expect
      .poll(async () => (result = (await prom<{ result: PromSample[] }>(`/api/v1/query?query=${query}`)).result).map((s) => s.metric.__name__), { timeout: 30_000, interval: 250 })
      .toContain("jetson_temperature_celsius");
    const taken = result.find((s) => s.metric.__name__ === "jetson_telemetry_timestamp_seconds");
    expect(taken).toBeDefined();
    const t = Math.round(Number(taken?.value[1]) * 1000);
    const series = await stack.worker.api<TelemetrySeries>(`/api/devices/${DEVICE}/telemetry?from=${t}&to=${t}&resolution=raw`);
    const sample = series.samples?.find((s) => s.t === t);
    expect(Object.keys(sample?.tempsC ?? {}).length).toBeGreaterThan(0);
    const temperatures = Object.fromEntries(
      result.filter((s) => s.metric.__name__ === "jetson_temperature_celsius").map((s) => [s.metric.zone, Number(s.value[1])]),
    );
    expect(temperatures).toEqual(sample?.tempsC);
    const { state } = await stack.worker.api<DeviceSummary>(`/api/devices/${DEVICE}`);
    expect(result.find((s) => s.metric.__name__ === "jetson_temperature_celsius")?.metric).toMatchObject({ job: "jetson", board: state?.board, jetpack: state?.jetpack });
  });

  it("answers the fleet's totals", async () => {
    const query = encodeURIComponent("jetson_fleet_devices_online");
    await expect.poll(async () => (await prom<{ result: PromSample[] }>(`/api/v1/query?query=${query}`)).result[0]?.value[1], { timeout: 10_000 }).toBe("1");
  });
});

describe("the exposition", () => {
  it("is OpenMetrics for Prometheus' Accept, ending with # EOF", async () => {
    const response = await scrape(readToken, "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
    expect(response.headers.get("Content-Type")).toBe(OPENMETRICS);
    const text = await response.text();
    expect(text).toMatch(/\n# UNIT jetson_temperature_celsius celsius\n/);
    expect(text.endsWith("\n# EOF\n")).toBe(true);
  });

  it("is Prometheus text 0.0.4 for a scraper that asks only for that, and promtool check metrics finds no problem in it", async () => {
    const response = await scrape(readToken, "text/plain;version=0.0.4");
    expect(response.headers.get("Content-Type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await response.text();
    expect(text).toContain(`jetson_device_online{device="${DEVICE}"`);
    const check = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    expect({ status: check.status, problems: `${check.stdout}${check.stderr}` }).toEqual({ status: 0, problems: "" });
  });
});

describe("who may scrape", () => {
  it("refuses a request without a token or with a made-up one (401), and a token without read (403), showing no figure", async () => {
    const refusals = [await scrape(undefined), await scrape("jf_token_local_madeup"), await scrape(await createToken(["operate"]))];
    expect(refusals.map((response) => response.status)).toEqual([401, 401, 403]);
    for (const response of refusals) expect(await response.text()).not.toMatch(/jetson_|metrics-orin/);
  });

  it("shows another fleet's token only its own fleet", async () => {
    const created = await fetch(`${stack.worker.url}/admin/fleets`, {
      method: "POST",
      headers: { Authorization: `Bearer ${stack.worker.options.operatorToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ id: "metrics-other" }),
    });
    const { token } = (await created.json()) as { token: string };
    const response = await scrape(token);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain("\njetson_fleet_devices 0\n");
    expect(text).not.toContain(DEVICE);
  });
});
