import { describe, expect, it } from "vitest";
import type { FleetDevice } from "../live-messages.js";
import { applyQuery, countByStatus, DEFAULT_QUERY, listParams, queryFromParams, queryToParams, statusOf } from "./fleet-rows.js";

const alert = (kind: "temperature" | "offline") => ({ kind, since: 1, value: 90, message: `${kind} alert` });

function device(id: string, extra: Partial<FleetDevice> = {}): FleetDevice {
  return { id, fleet: "f", online: true, ...extra };
}

const mode = (id: number, name: string) => ({ hostname: "o", board: "Orin", bridgeVersion: "1", powerMode: { id, name } });

const fleet: FleetDevice[] = [
  device("nano-2", { online: false, alerts: [alert("offline")], state: { hostname: "n", board: "Nano", bridgeVersion: "1" }, latest: { t: 1, hottestC: 40 }, tags: ["lab"] }),
  device("orin-10", { alerts: [alert("temperature")], state: mode(2, "MODE_30W"), latest: { t: 1, hottestC: 91 }, tags: ["warehouse", "lab"] }),
  device("orin-9", { state: mode(1, "MODE_15W"), latest: { t: 1, hottestC: 55 }, tags: ["warehouse"] }),
  device("new-one"),
];

describe("the fleet view's rows", () => {
  it("reads offline before alerting, and ignores the offline alert of a device that is back", () => {
    expect(fleet.map(statusOf)).toEqual(["offline", "alerting", "online", "online"]);
    expect(statusOf(device("x", { alerts: [alert("offline")] }))).toBe("online");
    expect(countByStatus(fleet)).toEqual({ alerting: 1, online: 2, offline: 1 });
  });

  it("sorts by status with alerting first, then by id in natural order", () => {
    expect(applyQuery(fleet, DEFAULT_QUERY).map((d) => d.id)).toEqual(["orin-10", "new-one", "orin-9", "nano-2"]);
    expect(applyQuery(fleet, { ...DEFAULT_QUERY, sort: "id" }).map((d) => d.id)).toEqual(["nano-2", "new-one", "orin-9", "orin-10"]);
  });

  it("puts devices without the sorted value last in either direction", () => {
    const hottest = (descending: boolean) => applyQuery(fleet, { ...DEFAULT_QUERY, sort: "hottest", descending }).map((d) => d.id);
    expect(hottest(true)).toEqual(["orin-10", "orin-9", "nano-2", "new-one"]);
    expect(hottest(false)).toEqual(["nano-2", "orin-9", "orin-10", "new-one"]);
  });

  it("filters by status, board family (as selectors name it) and id", () => {
    expect(applyQuery(fleet, { ...DEFAULT_QUERY, board: "orin" }).map((d) => d.id)).toEqual(["orin-10", "orin-9"]);
    expect(applyQuery(fleet, { ...DEFAULT_QUERY, board: "nano" }).map((d) => d.id)).toEqual(["nano-2"]);
    expect(applyQuery(fleet, { ...DEFAULT_QUERY, status: "offline" }).map((d) => d.id)).toEqual(["nano-2"]);
    expect(applyQuery(fleet, { ...DEFAULT_QUERY, text: "orin-1" }).map((d) => d.id)).toEqual(["orin-10"]);
  });

  it("filters by tag, alone and with the other filters", () => {
    expect(applyQuery(fleet, { ...DEFAULT_QUERY, tag: "lab", sort: "id" }).map((d) => d.id)).toEqual(["nano-2", "orin-10"]);
    expect(applyQuery(fleet, { ...DEFAULT_QUERY, tag: "warehouse", sort: "id" }).map((d) => d.id)).toEqual(["orin-9", "orin-10"]);
    expect(applyQuery(fleet, { ...DEFAULT_QUERY, tag: "lab", board: "orin" }).map((d) => d.id)).toEqual(["orin-10"]);
    expect(applyQuery(fleet, { ...DEFAULT_QUERY, tag: "lab", status: "online" }).map((d) => d.id)).toEqual([]);
    // A tag no device has (any more) shows none, not all.
    expect(applyQuery(fleet, { ...DEFAULT_QUERY, tag: "gone" })).toEqual([]);
  });

  it("sorts by tags and by power mode, devices without them last", () => {
    const sorted = (sort: "tags" | "powerMode", descending = false) => applyQuery(fleet, { ...DEFAULT_QUERY, sort, descending }).map((d) => d.id);
    // orin-10's tags sort as "lab warehouse": before "warehouse" alone.
    expect(sorted("tags")).toEqual(["nano-2", "orin-10", "orin-9", "new-one"]);
    expect(sorted("tags", true)).toEqual(["orin-9", "orin-10", "nano-2", "new-one"]);
    expect(sorted("powerMode")).toEqual(["orin-9", "orin-10", "nano-2", "new-one"]);
    expect(sorted("powerMode", true)).toEqual(["orin-10", "orin-9", "nano-2", "new-one"]);
  });

  it("round-trips the query through the URL, leaving defaults out and ignoring nonsense", () => {
    expect(queryFromParams(queryToParams({ ...DEFAULT_QUERY, tag: "all" }))).toEqual({ ...DEFAULT_QUERY, tag: "all" });
    const query = { status: "alerting", board: "orin-nano", tag: "lab", text: "cam", sort: "power", descending: true, limit: 25, cursor: "eyJhIjoiYyJ9" } as const;
    expect(queryFromParams(queryToParams(query))).toEqual(query);
    expect(queryToParams(DEFAULT_QUERY).toString()).toBe("");
    expect(queryFromParams(new URLSearchParams("status=bogus&sort=__proto__&tag=&board=NVIDIA Jetson Nano&limit=501&q="))).toEqual(DEFAULT_QUERY);
  });

  it("asks the registry for the page with the filters as a selector, the id text, the limit and the cursor", () => {
    expect(listParams(DEFAULT_QUERY).toString()).toBe("limit=100");
    const params = listParams({ ...DEFAULT_QUERY, status: "offline", board: "orin-nano", tag: "all", text: "cam", limit: 2, cursor: "c1" });
    expect(Object.fromEntries(params)).toEqual({ status: "offline", selector: "board:orin-nano tag:all", text: "cam", limit: "2", cursor: "c1" });
  });
});
