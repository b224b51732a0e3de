import type { TelemetrySeries } from "@jetson/protocol";
import type { LocalWorker } from "../scripts/local-stack.js";

/** A metric every sample carries: its 1-minute rollups count the samples stored. */
const COUNTED = "ram.usedMB";

/** How many samples of `deviceId` with times in [from, to] its object holds, as the REST telemetry API's rollups count them. */
export async function storedSamples(worker: LocalWorker, deviceId: string, from: number, to: number): Promise<number> {
  const query = new URLSearchParams({ from: String(from), to: String(to), resolution: "1m", metrics: COUNTED, maxPoints: "5000" });
  const series = await worker.api<TelemetrySeries>(`/api/devices/${encodeURIComponent(deviceId)}/telemetry?${query}`);
  return (series.rollups ?? []).reduce((sum, point) => sum + (point.metrics[COUNTED]?.count ?? 0), 0);
}
