import type { FleetDevice } from "../../src/dashboard/live-messages.js";
import { type DeviceStatus, type SortKey, statusOf } from "../../src/dashboard/view/fleet-rows.js";
import { ago, celsius, percent, powerMode, watts } from "../../src/dashboard/view/format.js";
import { h } from "./dom.js";

/** The fleet table's rows and cells, drawn alike by the dashboard's fleet view and the in-chat panel. */

/** `numeric`: a figure, right-aligned. `highFirst`: the first click sorts biggest or newest first. */
export const COLUMNS: Array<{ key: SortKey; label: string; numeric?: true; highFirst?: true; cell: (d: FleetDevice, now: number) => Node | string }> = [
  { key: "status", label: "Status", cell: (d) => statusBadge(statusOf(d)) },
  { key: "lastSeen", label: "Last seen", highFirst: true, cell: (d, now) => lastSeen(d, now) },
  { key: "tags", label: "Tags", cell: (d) => tagList(d) },
  { key: "board", label: "Board", cell: (d) => d.state?.board ?? "–" },
  { key: "jetpack", label: "JetPack", cell: (d) => d.state?.jetpack ?? "–" },
  { key: "powerMode", label: "Power mode", cell: (d) => powerMode(d.state?.powerMode) },
  { key: "hottest", label: "Hottest", numeric: true, highFirst: true, cell: (d) => celsius(d.latest?.hottestC) },
  { key: "cpu", label: "CPU", numeric: true, highFirst: true, cell: (d) => percent(d.latest?.cpuLoadPct) },
  { key: "gpu", label: "GPU", numeric: true, highFirst: true, cell: (d) => percent(d.latest?.gpuLoadPct) },
  { key: "memory", label: "Memory", numeric: true, highFirst: true, cell: (d) => percent(d.latest?.ramUsedPct) },
  { key: "power", label: "Power", numeric: true, highFirst: true, cell: (d) => watts(d.latest?.powerMW) },
  { key: "disk", label: "Disk", numeric: true, highFirst: true, cell: (d) => percent(d.latest?.diskUsedPct) },
  { key: "alerts", label: "Active alerts", highFirst: true, cell: (d) => alertList(d) },
];

export const STATUS_TEXT: Record<DeviceStatus, string> = { online: "Online", offline: "Offline", alerting: "Alerting" };

export function statusBadge(status: DeviceStatus): HTMLElement {
  return h("span", { class: `badge ${status}` }, STATUS_TEXT[status]);
}

function lastSeen(device: FleetDevice, now: number): Node {
  if (device.lastSeen === undefined) return document.createTextNode("never");
  return h("time", { datetime: new Date(device.lastSeen).toISOString(), "data-t": device.lastSeen }, ago(device.lastSeen, now));
}

function tagList(device: FleetDevice): Node | string {
  const tags = device.tags ?? [];
  return tags.length === 0 ? "–" : h("ul", { class: "tags" }, ...tags.map((tag) => h("li", {}, tag)));
}

function alertList(device: FleetDevice): Node | string {
  const alerts = device.alerts ?? [];
  return alerts.length === 0 ? "None" : h("ul", { class: "alerts" }, ...alerts.map((a) => h("li", { title: a.message }, a.message)));
}

/** The header row: the device column, then one per column; `label` draws each heading's content (a sort button, or its text). */
export function headerRow(label: (key: SortKey, text: string) => Node | string): { row: HTMLTableRowElement; cells: Map<SortKey, HTMLTableCellElement> } {
  const cells = new Map<SortKey, HTMLTableCellElement>();
  const row = h("tr", {}, ...[{ key: "id" as SortKey, label: "Device" }, ...COLUMNS].map((column) => {
    const th = h("th", { scope: "col" }, label(column.key, column.label));
    cells.set(column.key, th);
    return th;
  }));
  return { row, cells };
}

/** An empty row for a device, `name` in its first cell; `fillRow` draws the rest. */
export function deviceRow(device: FleetDevice, name: Node | string): HTMLTableRowElement {
  return h("tr", { "data-device": device.id }, h("th", { scope: "row", "data-label": "Device" }, name), ...COLUMNS.map(({ label, numeric }) => h("td", { "data-label": label, class: numeric && "num" })));
}

export function fillRow(row: HTMLTableRowElement, device: FleetDevice, now: number): void {
  row.dataset.status = statusOf(device);
  COLUMNS.forEach((column, i) => {
    const cell = row.cells[i + 1];
    if (!cell) return;
    cell.replaceChildren(column.cell(device, now));
  });
}

/** Only the "… ago" texts change with time; no request is made. Returns what stops it. */
export function keepAgoCurrent(body: HTMLElement): () => void {
  const timer = setInterval(() => {
    const now = Date.now();
    for (const time of body.querySelectorAll<HTMLTimeElement>("time[data-t]")) time.textContent = ago(Number(time.dataset.t), now);
  }, 10_000);
  return () => clearInterval(timer);
}
