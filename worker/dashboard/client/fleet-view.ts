import type { FleetDevice, LiveMessage } from "../../src/dashboard/live-messages.js";
import {
  applyQuery,
  boardsOf,
  countByStatus,
  type DeviceStatus,
  type FleetQuery,
  queryFromParams,
  queryToParams,
  type SortKey,
  tagsOf,
} from "../../src/dashboard/view/fleet-rows.js";
import { h } from "./dom.js";
import { COLUMNS, deviceRow, fillRow, headerRow, keepAgoCurrent, STATUS_TEXT } from "./fleet-table.js";
import { connectLive } from "./live.js";

/**
 * Offers `any` (shown as "All") and the fleet's values, keeping the chosen one even when no
 * device has it any more; options are replaced only when they change, so an open list stays put.
 */
function syncOptions(select: HTMLSelectElement, any: string, values: string[], chosen: string): void {
  const options = [any, ...values, ...(chosen !== any && !values.includes(chosen) ? [chosen] : [])];
  if ([...select.options].map((o) => o.value).join("\n") !== options.join("\n")) {
    select.replaceChildren(...options.map((v) => h("option", { value: v }, v === any ? "All" : v)));
  }
  select.value = chosen;
}

/**
 * The fleet view: a table (cards on a phone) of every device, filtered and sorted as the URL
 * says, kept current by the registry's pushes. Rows are updated in place so that focus and
 * scroll position survive updates; changes are drawn once per animation frame.
 */
export function startFleetView(main: HTMLElement): void {
  const devices = new Map<string, FleetDevice>();
  const rows = new Map<string, HTMLTableRowElement>();
  const dirty = new Set<string>();
  let query: FleetQuery = queryFromParams(new URLSearchParams(location.search));
  let shownIds: string[] = [];
  let firstRender = true;
  let frame = 0;

  const counts = h("p", { class: "counts", id: "fleet-counts" });
  const statusFilter = h(
    "select",
    { id: "filter-status", onchange: () => setQuery({ status: statusFilter.value as FleetQuery["status"] }) },
    ...["all", "online", "alerting", "offline"].map((v) => h("option", { value: v }, v === "all" ? "All" : STATUS_TEXT[v as DeviceStatus])),
  );
  const boardFilter = h("select", { id: "filter-board", onchange: () => setQuery({ board: boardFilter.value }) });
  // "" stands for every device: any other value is a tag, "all" included.
  const tagFilter = h("select", { id: "filter-tag", onchange: () => setQuery({ tag: tagFilter.value || undefined }) });
  const { row: header, cells: headerCells } = headerRow((key, label) => h("button", { type: "button", class: "sort", "data-sort": key, onclick: () => sortBy(key) }, label));
  const body = h("tbody");
  const empty = h("p", { class: "muted", hidden: true }, "No devices match these filters.");
  const table = h("table", { class: "fleet", id: "fleet-table" }, h("caption", { class: "visually-hidden" }, "Devices, updated live"), h("thead", {}, header), body);

  main.replaceChildren(
    h("h1", {}, "Devices"),
    counts,
    h("div", { class: "filters", role: "group", "aria-label": "Filter devices" },
      h("label", {}, "Status ", statusFilter),
      h("label", {}, "Board ", boardFilter),
      h("label", {}, "Tag ", tagFilter),
    ),
    h("div", { class: "table-wrap" }, table),
    empty,
  );

  function setQuery(change: Partial<FleetQuery>): void {
    query = { ...query, ...change };
    const params = queryToParams(query).toString();
    history.replaceState(null, "", params ? `?${params}` : location.pathname);
    schedule();
  }

  function sortBy(key: SortKey): void {
    setQuery(query.sort === key ? { descending: !query.descending } : { sort: key, descending: COLUMNS.find((c) => c.key === key)?.highFirst === true });
  }

  function schedule(): void {
    if (!frame) frame = requestAnimationFrame(render);
  }

  function rowFor(device: FleetDevice): HTMLTableRowElement {
    let row = rows.get(device.id);
    if (!row) {
      row = deviceRow(device, h("a", { href: `/devices/${encodeURIComponent(device.id)}` }, device.id));
      rows.set(device.id, row);
    }
    return row;
  }

  function render(): void {
    frame = 0;
    const now = Date.now();
    for (const id of dirty) {
      const device = devices.get(id);
      if (device) fillRow(rowFor(device), device, now);
    }
    dirty.clear();
    const all = [...devices.values()];
    const shown = applyQuery(all, query);
    const ids = shown.map((d) => d.id);
    if (ids.join("\n") !== shownIds.join("\n")) {
      // Moving rows drops focus from a link inside them; put it back.
      const focused = document.activeElement;
      body.replaceChildren(...shown.map(rowFor));
      if (focused instanceof HTMLElement && body.contains(focused)) focused.focus();
      shownIds = ids;
    }
    empty.hidden = shown.length > 0 || all.length === 0;
    const count = countByStatus(all);
    counts.textContent = `${all.length} devices: ${count.online} online, ${count.alerting} alerting, ${count.offline} offline` + (shown.length < all.length ? ` (${shown.length} shown)` : "");
    syncControls(all);
    if (firstRender) {
      firstRender = false;
      // The benchmark and tests read this mark: the fleet is on screen.
      performance.mark("dashboard:fleet-rendered");
      document.body.dataset.rendered = "fleet";
    }
  }

  function syncControls(all: FleetDevice[]): void {
    statusFilter.value = query.status;
    syncOptions(boardFilter, "all", boardsOf(all), query.board);
    syncOptions(tagFilter, "", tagsOf(all), query.tag ?? "");
    for (const [key, th] of headerCells) {
      if (key === query.sort) th.setAttribute("aria-sort", query.descending ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    }
  }

  function receive(message: LiveMessage): void {
    if (message.type === "snapshot") {
      // A snapshot (the socket opened again) replaces the fleet; rows of devices it still has are kept.
      const ids = new Set(message.devices.map((d) => d.id));
      for (const id of devices.keys()) if (!ids.has(id)) forget(id);
      for (const device of message.devices) update(device);
    } else if (message.type === "upsert") {
      update(message.device);
    } else {
      forget(message.id);
    }
    schedule();
  }

  function update(device: FleetDevice): void {
    devices.set(device.id, device);
    dirty.add(device.id);
  }

  function forget(id: string): void {
    devices.delete(id);
    rows.get(id)?.remove();
    rows.delete(id);
  }

  connectLive("", receive);
  keepAgoCurrent(body);
}
