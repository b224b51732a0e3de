import type { Alert, AuditEntry, ContainerSummary, DeviceAlerts } from "@jetson/protocol";
import { dateTime, duration } from "../../src/dashboard/view/format.js";
import { ApiError, postJson } from "./api.js";
import { h } from "./dom.js";

function alertItem(alert: Alert): HTMLElement {
  const when = alert.clearedAt === undefined ? `since ${dateTime(alert.since)}` : `${dateTime(alert.since)} – ${dateTime(alert.clearedAt)}`;
  return h("li", { class: `alert ${alert.kind}` }, h("strong", {}, alert.kind), ` ${alert.message} `, h("span", { class: "muted" }, `(${when})`));
}

/** Active alerts, then those cleared in the last 24 hours (the newest of them, saying how many more there were). */
export function alertsSection(alerts: DeviceAlerts): HTMLElement[] {
  return [
    h("h3", {}, "Active"),
    alerts.active.length === 0 ? h("p", { class: "muted" }, "No active alerts.") : h("ul", { class: "alert-list", id: "active-alerts" }, ...alerts.active.map(alertItem)),
    h("h3", {}, "Cleared in the last 24 hours"),
    alerts.recent.length === 0 ? h("p", { class: "muted" }, "None.") : h("ul", { class: "alert-list", id: "past-alerts" }, ...alerts.recent.map(alertItem)),
    ...(alerts.recentOmitted === undefined ? [] : [h("p", { class: "muted", id: "past-alerts-omitted" }, `${alerts.recentOmitted} older ${alerts.recentOmitted === 1 ? "one is" : "ones are"} not shown.`)]),
  ];
}

/** The device's recent entries in the fleet's audit log: who ran what, and how it ended. */
export function commandsSection(entries: readonly AuditEntry[]): HTMLElement {
  if (entries.length === 0) return h("p", { class: "muted" }, "No commands recorded for this device yet.");
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "commands", id: "commands" },
      h("caption", { class: "visually-hidden" }, "Recent commands, newest first"),
      h("thead", {}, h("tr", {}, ...["When", "Action", "Outcome", "By", "Took"].map((label) => h("th", { scope: "col" }, label)))),
      h(
        "tbody",
        {},
        ...entries.map((entry) =>
          h(
            "tr",
            {},
            h("td", { "data-label": "When" }, dateTime(entry.at)),
            h("td", { "data-label": "Action" }, h("code", {}, entry.action)),
            h("td", { "data-label": "Outcome", title: entry.error }, h("span", { class: `outcome ${entry.outcome}` }, entry.outcome), entry.error ? ` ${entry.error}` : ""),
            h("td", { "data-label": "By" }, entry.caller),
            h("td", { "data-label": "Took", class: "num" }, duration(entry.durationMs)),
          ),
        ),
      ),
    ),
  );
}

type ContainersOutcome = { ok: true; data: { containers: ContainerSummary[] } } | { ok: false; error: { message: string } };

/**
 * Containers come from running containers.list on the device, so they are listed on request
 * rather than on every visit (each run is a command in the device's ledger and the audit log).
 */
export function containersSection(device: string, available: boolean): HTMLElement {
  const section = h("div", { id: "containers" });
  if (!available) {
    section.append(h("p", { class: "muted" }, "This device's bridge does not offer a container listing (containers.list)."));
    return section;
  }
  const result = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "button", class: "button", onclick: () => void list() }, "List containers");
  section.append(button, result);
  async function list(): Promise<void> {
    button.disabled = true;
    result.replaceChildren(h("p", { class: "muted" }, "Asking the device…"));
    try {
      const outcome = await postJson<ContainersOutcome>(`/dashboard/api/devices/${encodeURIComponent(device)}/containers`);
      result.replaceChildren(outcome.ok ? containersTable(outcome.data.containers) : h("p", { class: "error" }, outcome.error.message));
    } catch (error) {
      result.replaceChildren(h("p", { class: "error" }, error instanceof ApiError ? error.message : "The request failed."));
    } finally {
      button.disabled = false;
    }
  }
  return section;
}

function containersTable(containers: readonly ContainerSummary[]): HTMLElement {
  if (containers.length === 0) return h("p", { class: "muted" }, "No containers on this device.");
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "containers" },
      h("thead", {}, h("tr", {}, ...["Name", "Image", "State", "Status", "GPU"].map((label) => h("th", { scope: "col" }, label)))),
      h(
        "tbody",
        {},
        ...containers.map((c) =>
          h(
            "tr",
            {},
            h("td", { "data-label": "Name" }, c.name),
            h("td", { "data-label": "Image" }, h("code", {}, c.image)),
            h("td", { "data-label": "State" }, c.state),
            h("td", { "data-label": "Status" }, c.status),
            h("td", { "data-label": "GPU" }, c.gpu ? "yes" : "no"),
          ),
        ),
      ),
    ),
  );
}
