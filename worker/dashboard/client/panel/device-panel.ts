import { type DeviceSummary, DeviceSummarySchema, TelemetrySeriesSchema, type TimedSample, TimedSampleSchema } from "@jetson/protocol";
import type { z } from "zod";
import { type ChartData, toChartData } from "../../../src/dashboard/chart-data.js";
import { RANGES } from "../../../src/dashboard/telemetry-ranges.js";
import { appendPoints } from "../../../src/dashboard/view/chart-points.js";
import { deviceFacts, latestFigures, sampleFigures } from "../../../src/dashboard/view/device-figures.js";
import { statusOf } from "../../../src/dashboard/view/fleet-rows.js";
import { CHARTS } from "../chart-specs.js";
import { drawFacts, drawTiles } from "../device-figures.js";
import { h } from "../dom.js";
import { statusBadge } from "../fleet-table.js";
import { drawChart } from "../line-chart.js";
import type { AppsBridge } from "./apps-bridge.js";
import { callTool, every, ToolFailed } from "./tool-calls.js";

/** The dashboard's raw range: the charts show the last 15 minutes. */
const RANGE = RANGES["15m"];
/** How often the figures are taken again (telemetry_now on the device) while the panel is open. */
const REFRESH_MS = 5_000;

/**
 * A device in the chat: its status and facts, its figures now (refreshed with telemetry_now
 * every few seconds) and charts of the last 15 minutes (telemetry_range), each tool called
 * through the host. Returns what stops the refreshing.
 */
export function startDevicePanel(
  main: HTMLElement,
  bridge: AppsBridge,
  id: string,
  first: { summary?: DeviceSummary; sample?: TimedSample },
  back?: () => void,
): () => void {
  let data: ChartData | undefined;
  let sampled = false;
  const badge = h("span", { class: "badge-slot" });
  const facts = h("dl", { class: "facts" });
  const tiles = h("div", { class: "tiles", id: "figures" });
  const status = h("p", { class: "muted", id: "figures-status", role: "status" }, "Asking the device…");
  const figures = CHARTS.map((spec) => h("figure", { class: "chart", id: `chart-${spec.id}` }));
  const charts = h("div", { class: "charts" }, ...figures);
  main.replaceChildren(
    ...(back ? [h("p", {}, h("button", { type: "button", class: "link", onclick: back }, "← All devices"))] : []),
    h("h1", {}, `${id} `, badge),
    facts,
    h("section", { "aria-labelledby": "h-now" }, h("h2", { id: "h-now" }, "Now"), status, tiles),
    h("section", { "aria-labelledby": "h-telemetry" }, h("h2", { id: "h-telemetry" }, "Last 15 minutes"), charts),
  );

  const call = <T>(name: string, schema: z.ZodType<T>) => callTool(bridge, name, { device: id }, schema);
  const failed = (error: unknown) => (error instanceof ToolFailed ? error.message : `The host could not ask the device: ${String(error)}`);

  function showSummary(summary: DeviceSummary): void {
    badge.replaceChildren(statusBadge(statusOf(summary)));
    drawFacts(facts, deviceFacts(summary, Date.now()));
    if (!sampled) drawTiles(tiles, latestFigures(summary.latest));
  }

  function showSample(sample: TimedSample): void {
    sampled = true;
    drawTiles(tiles, sampleFigures(sample));
    tiles.dataset.t = String(sample.t);
    status.textContent = `Taken at ${new Date(sample.t).toLocaleTimeString()}, every ${REFRESH_MS / 1000} s while this panel is open.`;
    const newest = data?.t.at(-1);
    if (data && (newest === undefined || sample.t > newest)) {
      data = appendPoints(data, toChartData({ from: sample.t, to: sample.t, resolution: "raw", samples: [sample] }), Date.now() - RANGE.spanMs);
      drawCharts();
    }
  }

  function drawCharts(): void {
    if (!data) return;
    const now = Date.now();
    CHARTS.forEach((spec, i) => {
      const figure = figures[i];
      if (figure && data) drawChart(figure, spec, data, [now - RANGE.spanMs, now]);
    });
    // Tests read this mark: the device's charts are on screen.
    document.body.dataset.rendered = "device";
  }

  async function loadCharts(): Promise<void> {
    try {
      const series = await callTool(bridge, "telemetry_range", { device: id, from: `-${RANGE.spanMs / 60_000}m`, resolution: RANGE.resolution, maxPoints: RANGE.maxPoints }, TelemetrySeriesSchema);
      data = toChartData(series);
      drawCharts();
    } catch (error) {
      charts.replaceChildren(h("p", { class: "error" }, failed(error)));
    }
  }

  async function refresh(): Promise<void> {
    const [summary, sample] = await Promise.allSettled([call("get_device", DeviceSummarySchema), call("telemetry_now", TimedSampleSchema)]);
    if (summary.status === "fulfilled") showSummary(summary.value);
    if (sample.status === "fulfilled") showSample(sample.value);
    else status.textContent = failed(sample.reason);
  }

  if (first.summary) showSummary(first.summary);
  if (first.sample) showSample(first.sample);
  void loadCharts().then(() => (first.sample ? undefined : refresh()));
  return every(REFRESH_MS, refresh);
}
