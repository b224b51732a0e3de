import type { DeviceState, DeviceStatus, DeviceSummary } from "@jetson/protocol";

/** A device as the fleet view needs it: the summary without the bridge's list of capabilities. */
export type FleetDevice = Omit<DeviceSummary, "state"> & { state?: Omit<DeviceState, "capabilities"> };

/** What the fleet's registry pushes to a dashboard's WebSocket. */
export type LiveMessage =
  | { type: "snapshot"; devices: FleetDevice[]; page?: LivePage }
  | { type: "upsert"; device: FleetDevice }
  | { type: "remove"; id: string }
  | { type: "counts"; counts: Record<DeviceStatus, number> };

/** With a fleet view's snapshot: the page's place in the filtered fleet, and the whole fleet's counts, boards and tags. */
export interface LivePage {
  /** Devices the filters keep, on every page. */
  total: number;
  nextCursor?: string;
  counts: Record<DeviceStatus, number>;
  boards: string[];
  tags: string[];
}

/** Close code telling the page its session ended (signed out, expired or its token revoked): sign in again. */
export const SESSION_ENDED = 4401;
/** Live dashboards one token may have open (a person's tabs, in every browser signed in with it); opening another closes its oldest. */
export const MAX_LIVE_PER_TOKEN = 20;
/** Close code telling a page that newer dashboards of its token took its place: it stays as it is until reloaded. */
export const SUPERSEDED = 4429;

/** The text frame a page sends to keep its socket open; the registry answers without waking. */
export const PING = "ping";
export const PONG = "pong";

/** Capabilities are a few dozen names per device that the fleet view never shows; leaving them out halves each push. */
export function fleetDevice(summary: DeviceSummary): FleetDevice {
  if (!summary.state) return summary;
  const { capabilities: _omitted, ...state } = summary.state;
  return { ...summary, state };
}
