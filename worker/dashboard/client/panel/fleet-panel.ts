import { type DevicePage, DevicePageSchema } from "@jetson/protocol";
import { applyQuery, countByStatus, DEFAULT_QUERY } from "../../../src/dashboard/view/fleet-rows.js";
import { h } from "../dom.js";
import { deviceRow, fillRow, headerRow, keepAgoCurrent } from "../fleet-table.js";
import type { AppsBridge } from "./apps-bridge.js";
import { callTool, every, ToolFailed } from "./tool-calls.js";

const REFRESH_MS = 10_000;

/**
 * The fleet in the chat: the dashboard's table, alerting devices first, refreshed with
 * list_devices while open. A device's name opens its figures and charts. Returns what stops it.
 */
export function startFleetPanel(main: HTMLElement, bridge: AppsBridge, first: DevicePage, open: (id: string) => void): () => void {
  const counts = h("p", { class: "counts", id: "fleet-counts" });
  const body = h("tbody");
  const problem = h("p", { class: "error", role: "status" });
  main.replaceChildren(
    h("h1", {}, "Devices"),
    counts,
    problem,
    h(
      "div",
      { class: "table-wrap" },
      h("table", { class: "fleet", id: "fleet-table" }, h("caption", { class: "visually-hidden" }, "Devices"), h("thead", {}, headerRow((_key, label) => label).row), body),
    ),
  );

  /** list_devices' first page: a fleet larger than a page says how many it has and how many are shown. */
  function show({ devices, total, nextCursor }: DevicePage): void {
    const now = Date.now();
    body.replaceChildren(
      ...applyQuery(devices, DEFAULT_QUERY).map((device) => {
        const row = deviceRow(device, h("button", { type: "button", class: "link", onclick: () => open(device.id) }, device.id));
        fillRow(row, device, now);
        return row;
      }),
    );
    const count = countByStatus(devices);
    counts.textContent =
      (nextCursor === undefined ? `${total} devices: ` : `${total} devices, the first ${devices.length} by id: `) +
      `${count.online} online, ${count.alerting} alerting, ${count.offline} offline`;
    document.body.dataset.rendered = "fleet";
  }

  show(first);
  const stopAgo = keepAgoCurrent(body);
  const stopRefresh = every(REFRESH_MS, async () => {
    try {
      show(await callTool(bridge, "list_devices", {}, DevicePageSchema));
      problem.textContent = "";
    } catch (error) {
      problem.textContent = error instanceof ToolFailed ? error.message : `The host could not list the devices: ${String(error)}`;
    }
  });
  return () => {
    stopAgo();
    stopRefresh();
  };
}
