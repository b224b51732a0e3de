import type { AuditEntry, DeviceAlerts, DeviceSummary } from "@jetson/protocol";
import type { ChartData } from "../../src/dashboard/chart-data.js";
import type { FleetDevice } from "../../src/dashboard/live-messages.js";
import { isRangeName, RANGE_NAMES, RANGES, type RangeName } from "../../src/dashboard/telemetry-ranges.js";
import { appendPoints } from "../../src/dashboard/view/chart-points.js";
import { deviceFacts, latestFigures } from "../../src/dashboard/view/device-figures.js";
import { statusOf } from "../../src/dashboard/view/fleet-rows.js";
import { ApiError, getJson } from "./api.js";
import { CHARTS } from "./chart-specs.js";
import { alertsSection, commandsSection, containersSection } from "./device-sections.js";
import { drawFacts, drawTiles } from "./device-figures.js";
import { h } from "./dom.js";
import { statusBadge } from "./fleet-table.js";
import { drawChart } from "./line-chart.js";
import { connectLive } from "./live.js";

interface Overview {
  device: DeviceSummary;
  alerts: DeviceAlerts;
  commands: AuditEntry[];
  containers: boolean;
}

/** How often a device's page refreshes its figures: a bridge's batch period. */
const PAGE_FIGURES_EVERY_MS = 5_000;

/**
 * A device's view: what it is and how it is now, charts of its telemetry over the chosen
 * range, its alerts, its recent commands and its containers. A push from the registry
 * about this device, or the device's own summary asked every 5 s, refreshes the figures and fetches only the new points.
 */
export function startDeviceView(main: HTMLElement, id: string): void {
  const api = `/dashboard/api/devices/${encodeURIComponent(id)}`;
  const asked = new URLSearchParams(location.search).get("range");
  let range: RangeName = isRangeName(asked) ? asked : "15m";
  let data: ChartData | undefined;
  let fetchedAt = 0;
  let inFlight: Promise<void> | undefined;
  let activeAlerts = "";
  let firstRender = true;

  const badge = h("span", { class: "badge-slot" });
  const facts = h("dl", { class: "facts" });
  const tiles = h("div", { class: "tiles" });
  const rangeButtons = RANGE_NAMES.map((name) =>
    h("button", { type: "button", class: "button range", "data-range": name, "aria-pressed": name === range ? "true" : "false", onclick: () => chooseRange(name) }, RANGES[name].label),
  );
  const figures = CHARTS.map((spec) => h("figure", { class: "chart", id: `chart-${spec.id}` }));
  const alerts = h("div", { id: "alerts" });
  const commands = h("div", { id: "recent-commands" });
  const containers = h("div");
  const section = (title: string, idSuffix: string, ...body: Node[]) =>
    h("section", { "aria-labelledby": `h-${idSuffix}` }, h("h2", { id: `h-${idSuffix}` }, title), ...body);

  main.replaceChildren(
    h("p", {}, h("a", { href: "/" }, "← All devices")),
    h("h1", {}, `${id} `, badge),
    facts,
    section("Now", "now", tiles),
    section(
      "Telemetry",
      "telemetry",
      h("div", { class: "ranges", role: "group", "aria-label": "Time range" }, ...rangeButtons),
      h("div", { class: "charts" }, ...figures),
    ),
    section("Alerts", "alerts", alerts),
    section("Recent commands", "commands", commands),
    section("Containers", "containers", containers),
  );

  function showDevice(device: FleetDevice): void {
    badge.replaceChildren(statusBadge(statusOf(device)));
    drawFacts(facts, deviceFacts(device, Date.now()));
    drawTiles(tiles, latestFigures(device.latest));
  }

  function drawCharts(): void {
    if (!data) return;
    const now = Date.now();
    const domain: [number, number] = [now - RANGES[range].spanMs, now];
    CHARTS.forEach((spec, i) => {
      const figure = figures[i];
      if (figure && data) drawChart(figure, spec, data, domain);
    });
    if (firstRender) {
      firstRender = false;
      // The benchmark and tests read this mark: the device and its charts are on screen.
      performance.mark("dashboard:device-rendered");
      document.body.dataset.rendered = "device";
    }
  }

  /** Fetches the whole range, or (raw range, live) only what came after the newest point. */
  function loadTelemetry(onlyNew: boolean): Promise<void> {
    inFlight ??= (async () => {
      try {
        const newest = data?.t.at(-1);
        const incremental = onlyNew && range === "15m" && data !== undefined && newest !== undefined;
        const asked = range;
        const more = await getJson<ChartData>(`${api}/telemetry?range=${asked}${incremental ? `&since=${newest}` : ""}`);
        if (asked !== range) return;
        data = incremental && data ? appendPoints(data, more, Date.now() - RANGES[range].spanMs) : more;
        fetchedAt = Date.now();
        drawCharts();
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  }

  function chooseRange(name: RangeName): void {
    range = name;
    for (const button of rangeButtons) button.setAttribute("aria-pressed", button.dataset.range === name ? "true" : "false");
    const params = new URLSearchParams(location.search);
    params.set("range", name);
    history.replaceState(null, "", `?${params}`);
    data = undefined;
    const reload = () => loadTelemetry(false);
    void (inFlight ? inFlight.then(reload) : reload());
  }

  async function loadOverview(): Promise<void> {
    const overview = await getJson<Overview>(api);
    showDevice(overview.device);
    activeAlerts = JSON.stringify(overview.device.alerts ?? []);
    alerts.replaceChildren(...alertsSection(overview.alerts));
    commands.replaceChildren(commandsSection(overview.commands));
    if (!containers.hasChildNodes()) containers.replaceChildren(containersSection(id, overview.containers));
  }

  function onPush(device: FleetDevice): void {
    showDevice(device);
    // Alert history and commands are not in the push; fetch them again when the active alerts change.
    const active = JSON.stringify(device.alerts ?? []);
    if (active !== activeAlerts) void loadOverview();
    // Rollup ranges change once a bucket fills; the raw range takes every new sample.
    if (range === "15m" || Date.now() - fetchedAt >= (data?.stepMs ?? 60_000)) void loadTelemetry(true);
  }

  /** Asks the device itself for its figures: the registry pushes changes of presence, state and alerts at once, figures alone once a minute. */
  function refreshFigures(): void {
    if (document.hidden) return;
    // A failed ask is tried again next time; the live status line says whether the connection holds.
    getJson<FleetDevice>(`${api}/summary`).then(onPush, () => {});
  }

  Promise.all([loadOverview(), loadTelemetry(false)]).then(
    () => {
      connectLive(`?device=${encodeURIComponent(id)}`, (message) => {
        if (message.type === "upsert") onPush(message.device);
        else if (message.type === "snapshot" && message.devices[0]) onPush(message.devices[0]);
      });
      setInterval(refreshFigures, PAGE_FIGURES_EVERY_MS);
    },
    (error: unknown) => {
      const text = error instanceof ApiError && error.status === 404 ? "There is no such device in this fleet." : `The device could not be loaded: ${String(error)}`;
      main.replaceChildren(h("p", {}, h("a", { href: "/" }, "← All devices")), h("h1", {}, id), h("p", { class: "error", role: "alert" }, text));
    },
  );
  let resize = 0;
  addEventListener("resize", () => {
    cancelAnimationFrame(resize);
    resize = requestAnimationFrame(drawCharts);
  });
}
