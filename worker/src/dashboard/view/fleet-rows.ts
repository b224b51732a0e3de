import type { FleetDevice } from "../live-messages.js";

export type DeviceStatus = "alerting" | "online" | "offline";

/** Offline wins: the offline alert only restates it. Online with any active alert is alerting. */
export function statusOf(device: FleetDevice): DeviceStatus {
  if (!device.online) return "offline";
  return (device.alerts ?? []).some((alert) => alert.kind !== "offline") ? "alerting" : "online";
}

export const SORT_KEYS = ["id", "status", "lastSeen", "tags", "board", "jetpack", "powerMode", "hottest", "cpu", "gpu", "memory", "power", "disk", "alerts"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface FleetQuery {
  status: DeviceStatus | "all";
  board: string | "all";
  /** Only devices with this tag; any device when absent ("all" is a valid tag, so it cannot mean every one). */
  tag?: string;
  sort: SortKey;
  descending: boolean;
}

export const DEFAULT_QUERY: FleetQuery = { status: "all", board: "all", sort: "status", descending: false };

/** Alerting first when sorting by status: what needs a look comes to the top. */
const STATUS_RANK: Record<DeviceStatus, number> = { alerting: 0, online: 1, offline: 2 };

const sortValue: Record<SortKey, (d: FleetDevice) => string | number | undefined> = {
  id: (d) => d.id,
  status: (d) => STATUS_RANK[statusOf(d)],
  lastSeen: (d) => d.lastSeen,
  // Sorted, so devices given the same tags in another order sort together.
  tags: (d) => (d.tags?.length ? [...d.tags].sort().join(" ") : undefined),
  board: (d) => d.state?.board,
  jetpack: (d) => d.state?.jetpack,
  powerMode: (d) => d.state?.powerMode?.name,
  hottest: (d) => d.latest?.hottestC,
  cpu: (d) => d.latest?.cpuLoadPct,
  gpu: (d) => d.latest?.gpuLoadPct,
  memory: (d) => d.latest?.ramUsedPct,
  power: (d) => d.latest?.powerMW,
  disk: (d) => d.latest?.diskUsedPct,
  alerts: (d) => (d.alerts ?? []).length,
};

function compare(a: string | number | undefined, b: string | number | undefined): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** The devices the query shows, in its order; devices missing the sorted value go last either way. */
export function applyQuery(devices: readonly FleetDevice[], query: FleetQuery): FleetDevice[] {
  const read = sortValue[query.sort];
  const shown = devices.filter(
    (d) =>
      (query.status === "all" || statusOf(d) === query.status) &&
      (query.board === "all" || d.state?.board === query.board) &&
      (query.tag === undefined || (d.tags ?? []).includes(query.tag)),
  );
  return shown.sort((x, y) => {
    const a = read(x);
    const b = read(y);
    if (a === undefined || b === undefined) return a === b ? compare(x.id, y.id) : a === undefined ? 1 : -1;
    return (query.descending ? -compare(a, b) : compare(a, b)) || compare(x.id, y.id);
  });
}

export function boardsOf(devices: readonly FleetDevice[]): string[] {
  return [...new Set(devices.map((d) => d.state?.board).filter((b): b is string => b !== undefined))].sort();
}

export function tagsOf(devices: readonly FleetDevice[]): string[] {
  return [...new Set(devices.flatMap((d) => d.tags ?? []))].sort();
}

export function countByStatus(devices: readonly FleetDevice[]): Record<DeviceStatus, number> {
  const counts = { alerting: 0, online: 0, offline: 0 };
  for (const device of devices) counts[statusOf(device)] += 1;
  return counts;
}

/** The query as URL parameters (defaults left out), so a filtered view can be bookmarked and shared. */
export function queryToParams(query: FleetQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.status !== DEFAULT_QUERY.status) params.set("status", query.status);
  if (query.board !== DEFAULT_QUERY.board) params.set("board", query.board);
  if (query.tag !== undefined) params.set("tag", query.tag);
  if (query.sort !== DEFAULT_QUERY.sort) params.set("sort", query.sort);
  if (query.descending) params.set("dir", "desc");
  return params;
}

export function queryFromParams(params: URLSearchParams): FleetQuery {
  const status = params.get("status");
  const sort = params.get("sort");
  return {
    status: status === "alerting" || status === "online" || status === "offline" ? status : "all",
    board: params.get("board") ?? "all",
    // No tag is empty, so an empty one is no filter.
    tag: params.get("tag") || undefined,
    sort: SORT_KEYS.find((key) => key === sort) ?? DEFAULT_QUERY.sort,
    descending: params.get("dir") === "desc",
  };
}
