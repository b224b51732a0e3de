import { DEVICE_PAGE_LIMIT, type DeviceStatus, TagSchema } from "@jetson/protocol";
import { boardSlug } from "../../fleet-ops/attributes.js";
import type { FleetDevice } from "../live-messages.js";

export type { DeviceStatus };

/** Offline wins: the offline alert only restates it. Online with any active alert is alerting. */
export function statusOf(device: FleetDevice): DeviceStatus {
  if (!device.online) return "offline";
  return (device.alerts ?? []).some((alert) => alert.kind !== "offline") ? "alerting" : "online";
}

export const SORT_KEYS = ["id", "status", "lastSeen", "tags", "board", "jetpack", "powerMode", "hottest", "cpu", "gpu", "memory", "power", "disk", "alerts"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface FleetQuery {
  status: DeviceStatus | "all";
  /** A board family as selectors name it (`orin-nano`), or "all". */
  board: string | "all";
  /** Only devices with this tag; any device when absent ("all" is a valid tag, so it cannot mean every one). */
  tag?: string;
  /** Only devices whose id contains it. */
  text?: string;
  sort: SortKey;
  descending: boolean;
  /** Devices per page, and where the page starts (the previous page's nextCursor; absent: the first page). */
  limit: number;
  cursor?: string;
}

export const DEFAULT_QUERY: FleetQuery = { status: "all", board: "all", sort: "status", descending: false, limit: DEVICE_PAGE_LIMIT.default };

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

/** Whether the query's filters keep the device: the registry answers them for a page, and the page for each live change. */
export function matchesQuery(device: FleetDevice, query: FleetQuery): boolean {
  return (
    (query.status === "all" || statusOf(device) === query.status) &&
    (query.board === "all" || (device.state?.board !== undefined && boardSlug(device.state.board) === query.board)) &&
    (query.tag === undefined || (device.tags ?? []).includes(query.tag)) &&
    (query.text === undefined || device.id.includes(query.text.toLowerCase()))
  );
}

/** The devices the query shows, in its order; devices missing the sorted value go last either way. */
export function applyQuery(devices: readonly FleetDevice[], query: FleetQuery): FleetDevice[] {
  const read = sortValue[query.sort];
  return devices
    .filter((d) => matchesQuery(d, query))
    .sort((x, y) => {
      const a = read(x);
      const b = read(y);
      if (a === undefined || b === undefined) return a === b ? compare(x.id, y.id) : a === undefined ? 1 : -1;
      return (query.descending ? -compare(a, b) : compare(a, b)) || compare(x.id, y.id);
    });
}

export function countByStatus(devices: readonly FleetDevice[]): Record<DeviceStatus, number> {
  const counts = { alerting: 0, online: 0, offline: 0 };
  for (const device of devices) counts[statusOf(device)] += 1;
  return counts;
}

/** The page the query shows, as the registry's list query (`/dashboard/live`, `/dashboard/api/devices`) takes it. */
export function listParams(query: FleetQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.status !== "all") params.set("status", query.status);
  const selector = [query.board !== "all" && `board:${query.board}`, query.tag !== undefined && `tag:${query.tag}`].filter(Boolean).join(" ");
  if (selector) params.set("selector", selector);
  if (query.text !== undefined) params.set("text", query.text);
  params.set("limit", String(query.limit));
  if (query.cursor !== undefined) params.set("cursor", query.cursor);
  return params;
}

/** The query as URL parameters (defaults left out), so a filtered view can be bookmarked and shared. */
export function queryToParams(query: FleetQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.status !== DEFAULT_QUERY.status) params.set("status", query.status);
  if (query.board !== DEFAULT_QUERY.board) params.set("board", query.board);
  if (query.tag !== undefined) params.set("tag", query.tag);
  if (query.text !== undefined) params.set("q", query.text);
  if (query.sort !== DEFAULT_QUERY.sort) params.set("sort", query.sort);
  if (query.descending) params.set("dir", "desc");
  if (query.limit !== DEFAULT_QUERY.limit) params.set("limit", String(query.limit));
  if (query.cursor !== undefined) params.set("cursor", query.cursor);
  return params;
}

/** Values a selector term can hold; anything else in a URL is no filter. */
const SELECTOR_VALUE = /^[a-z0-9_.-]+$/;

export function queryFromParams(params: URLSearchParams): FleetQuery {
  const status = params.get("status");
  const sort = params.get("sort");
  const board = params.get("board") ?? "";
  const tag = params.get("tag") ?? "";
  const text = params.get("q")?.trim().toLowerCase() ?? "";
  const limit = Number(params.get("limit"));
  const cursor = params.get("cursor");
  return {
    status: status === "alerting" || status === "online" || status === "offline" ? status : "all",
    board: SELECTOR_VALUE.test(board) ? board : "all",
    // No tag is empty, so an empty one is no filter.
    ...(TagSchema.safeParse(tag).success && { tag }),
    ...(text && text.length <= 63 && { text }),
    sort: SORT_KEYS.find((key) => key === sort) ?? DEFAULT_QUERY.sort,
    descending: params.get("dir") === "desc",
    limit: Number.isInteger(limit) && limit >= 1 && limit <= DEVICE_PAGE_LIMIT.max ? limit : DEFAULT_QUERY.limit,
    ...(cursor && { cursor }),
  };
}
