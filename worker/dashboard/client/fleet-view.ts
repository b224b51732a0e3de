import type { FleetDevice, LiveMessage, LivePage } from "../../src/dashboard/live-messages.js";
import {
  applyQuery,
  type DeviceStatus,
  type FleetQuery,
  listParams,
  matchesQuery,
  queryFromParams,
  queryToParams,
  type SortKey,
} from "../../src/dashboard/view/fleet-rows.js";
import { boardSlug } from "../../src/fleet-ops/attributes.js";
import { h } from "./dom.js";
import { COLUMNS, deviceRow, fillRow, headerRow, keepAgoCurrent, STATUS_TEXT } from "./fleet-table.js";
import { connectLive } from "./live.js";

/**
 * Offers `any` (shown as "All") and the fleet's values, keeping the chosen one even when no
 * device has it any more; options are replaced only when they change, so an open list stays put.
 */
function syncOptions(select: HTMLSelectElement, any: string, values: string[], chosen: string): void {
  const options = [any, ...values, ...(chosen !== any && !values.includes(chosen) ? [chosen] : [])];
  const shown = [...select.options].map((o) => o.value);
  // Compared value by value: joined, an empty list and a list of one "" (the tag filter's "All") look alike.
  if (shown.length !== options.length || shown.some((value, i) => value !== options[i])) {
    select.replaceChildren(...options.map((v) => h("option", { value: v }, v === any ? "All" : v)));
  }
  select.value = chosen;
}

const number = new Intl.NumberFormat("en");

/**
 * The fleet view: one page of devices (by id; the registry answers the filters, so a fleet of
 * 10,000 sends a page, not the fleet), with the previous and next pages a click away. The page
 * sorts as the URL says and is kept current by the registry's pushes for the devices in its
 * range of ids. Rows are updated in place so that focus and scroll position survive updates;
 * changes are drawn once per animation frame.
 */
export function startFleetView(main: HTMLElement): void {
  const devices = new Map<string, FleetDevice>();
  const rows = new Map<string, HTMLTableRowElement>();
  const dirty = new Set<string>();
  let query: FleetQuery = queryFromParams(new URLSearchParams(location.search));
  let page: LivePage | undefined;
  /** Where each page before this one started (undefined: the first), to go back. */
  const earlier: Array<string | undefined> = [];
  let shownIds: string[] = [];
  let firstRender = true;
  let frame = 0;
  let closeLive = () => {};

  const counts = h("p", { class: "counts", id: "fleet-counts" });
  const statusFilter = h(
    "select",
    { id: "filter-status", onchange: () => setFilters({ status: statusFilter.value as FleetQuery["status"] }) },
    ...["all", "online", "alerting", "offline"].map((v) => h("option", { value: v }, v === "all" ? "All" : STATUS_TEXT[v as DeviceStatus])),
  );
  const boardFilter = h("select", { id: "filter-board", onchange: () => setFilters({ board: boardFilter.value }) });
  // "" stands for every device: any other value is a tag, "all" included.
  const tagFilter = h("select", { id: "filter-tag", onchange: () => setFilters({ tag: tagFilter.value || undefined }) });
  const textFilter = h("input", {
    id: "filter-text",
    type: "search",
    maxlength: 63,
    value: query.text ?? "",
    onchange: () => setFilters({ text: textFilter.value.trim().toLowerCase() || undefined }),
  });
  const { row: header, cells: headerCells } = headerRow((key, label) => h("button", { type: "button", class: "sort", "data-sort": key, onclick: () => sortBy(key) }, label));
  const body = h("tbody");
  const empty = h("p", { class: "muted", hidden: true }, "No devices match these filters.");
  const problem = h("p", { class: "error", role: "alert", hidden: true });
  const table = h("table", { class: "fleet", id: "fleet-table" }, h("caption", { class: "visually-hidden" }, "Devices, updated live"), h("thead", {}, header), body);
  const position = h("span", { id: "page-position" });
  const previousButton = h("button", { type: "button", id: "page-previous", onclick: () => previousPage() }, "Previous");
  const nextButton = h("button", { type: "button", id: "page-next", onclick: () => nextPage() }, "Next");

  main.replaceChildren(
    h("h1", {}, "Devices"),
    counts,
    h("div", { class: "filters", role: "group", "aria-label": "Filter devices" },
      h("label", {}, "Status ", statusFilter),
      h("label", {}, "Board ", boardFilter),
      h("label", {}, "Tag ", tagFilter),
      h("label", {}, "Id contains ", textFilter),
    ),
    problem,
    h("div", { class: "table-wrap" }, table),
    empty,
    h("nav", { class: "pager", "aria-label": "Pages of devices" }, previousButton, position, nextButton),
  );

  function showQuery(): void {
    const params = queryToParams(query).toString();
    history.replaceState(null, "", params ? `?${params}` : location.pathname);
  }

  /** Other filters: back to their first page, asked of the registry. */
  function setFilters(change: Partial<FleetQuery>): void {
    problem.hidden = true;
    firstPage(change);
  }

  function firstPage(change: Partial<FleetQuery> = {}): void {
    const { cursor: _old, ...rest } = query;
    query = { ...rest, ...change };
    earlier.length = 0;
    showQuery();
    connect();
  }

  function nextPage(): void {
    if (!page?.nextCursor) return;
    earlier.push(query.cursor);
    query = { ...query, cursor: page.nextCursor };
    showQuery();
    connect();
  }

  function previousPage(): void {
    if (query.cursor === undefined) return;
    const { cursor: _old, ...rest } = query;
    const start = earlier.pop();
    query = start === undefined ? rest : { ...rest, cursor: start };
    showQuery();
    connect();
  }

  function sortBy(key: SortKey): void {
    query = query.sort === key ? { ...query, descending: !query.descending } : { ...query, sort: key, descending: COLUMNS.find((c) => c.key === key)?.highFirst === true };
    showQuery();
    schedule();
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
    if (!page) return;
    const now = Date.now();
    for (const id of dirty) {
      const device = devices.get(id);
      if (device) fillRow(rowFor(device), device, now);
    }
    dirty.clear();
    // The page holds only devices the filters keep; sorting orders this page.
    const shown = applyQuery([...devices.values()], query);
    const ids = shown.map((d) => d.id);
    if (ids.join("\n") !== shownIds.join("\n")) {
      // Moving rows drops focus from a link inside them; put it back.
      const focused = document.activeElement;
      body.replaceChildren(...shown.map(rowFor));
      if (focused instanceof HTMLElement && body.contains(focused)) focused.focus();
      shownIds = ids;
    }
    const count = page.counts;
    const fleetSize = count.online + count.alerting + count.offline;
    empty.hidden = shown.length > 0 || fleetSize === 0;
    counts.textContent =
      `${number.format(fleetSize)} devices: ${number.format(count.online)} online, ${number.format(count.alerting)} alerting, ${number.format(count.offline)} offline` +
      (page.total < fleetSize ? ` (${number.format(page.total)} shown)` : "");
    const first = earlier.length * query.limit + 1;
    position.textContent = shown.length === 0 ? "" : `${number.format(first)}–${number.format(first + shown.length - 1)} of ${number.format(page.total)}`;
    previousButton.disabled = query.cursor === undefined;
    nextButton.disabled = page.nextCursor === undefined;
    syncControls(page);
    if (firstRender) {
      firstRender = false;
      // The benchmark and tests read this mark: the fleet is on screen.
      performance.mark("dashboard:fleet-rendered");
    }
    // Tests wait for this: this page is on screen.
    document.body.dataset.rendered = "fleet";
  }

  function syncControls(info: LivePage): void {
    statusFilter.value = query.status;
    syncOptions(boardFilter, "all", info.boards, query.board);
    syncOptions(tagFilter, "", info.tags, query.tag ?? "");
    for (const [key, th] of headerCells) {
      if (key === query.sort) th.setAttribute("aria-sort", query.descending ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    }
  }

  function receive(message: LiveMessage): void {
    if (message.type === "snapshot") {
      // A snapshot (the socket opened, again or for another page) replaces the page; rows of devices it still has are kept.
      const ids = new Set(message.devices.map((d) => d.id));
      for (const id of devices.keys()) if (!ids.has(id)) forget(id);
      for (const device of message.devices) update(device);
      page = message.page;
    } else if (message.type === "counts") {
      if (page) page = { ...page, counts: message.counts };
    } else if (message.type === "upsert") {
      offer(message.device);
      changed(message.device);
    } else if (devices.has(message.id)) {
      forget(message.id);
      if (page) page = { ...page, total: page.total - 1 };
    }
    schedule();
  }

  /**
   * A device in this page's range of ids changed. One the filters now keep joins the page (the page's
   * last device moving to the next page when it is full); one they no longer keep leaves it. The page
   * never holds more than its limit, however many devices beyond it change.
   */
  function changed(device: FleetDevice): void {
    if (!page) return;
    const here = devices.has(device.id);
    if (!matchesQuery(device, query)) {
      if (here) {
        forget(device.id);
        page = { ...page, total: page.total - 1 };
      }
      return;
    }
    if (here) return update(device);
    const last = [...devices.keys()].sort().at(-1);
    if (devices.size >= query.limit) {
      if (last === undefined || device.id > last) return;
      forget(last);
    }
    update(device);
    page = { ...page, total: page.total + 1 };
  }

  /** A board or tag first seen in a change joins the filters' choices (the snapshot brought the fleet's). */
  function offer(device: FleetDevice): void {
    if (!page) return;
    const board = device.state?.board === undefined ? undefined : boardSlug(device.state.board);
    const boards = board === undefined || page.boards.includes(board) ? page.boards : [...page.boards, board].sort();
    const fresh = (device.tags ?? []).filter((tag) => !page?.tags.includes(tag));
    if (boards !== page.boards || fresh.length > 0) page = { ...page, boards, tags: [...page.tags, ...fresh].sort() };
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

  function connect(): void {
    closeLive();
    const params = `?${listParams(query)}`;
    closeLive = connectLive(params, receive, {
      check: `/dashboard/api/devices${params}`,
      // A cursor from an old bookmark, or filters the registry refuses: say why and show the first page.
      onRefused: (message) => {
        problem.textContent = message;
        problem.hidden = false;
        if (query.cursor !== undefined) firstPage();
      },
    });
  }

  connect();
  keepAgoCurrent(body);
}
