import type { FleetRunState, RunDeviceState } from "@jetson/protocol";

export interface RunPolicy {
  concurrency: number;
  abortThresholdPct?: number;
}

export interface DeviceProgress {
  device: string;
  canary: boolean;
  state: RunDeviceState;
}

/** Start these devices now (none: wait for the running ones), or end the run; devices still pending are then skipped. */
export type Step = { start: string[] } | { end: Exclude<FleetRunState, "running">; reason?: string };

const named = (devices: DeviceProgress[]) =>
  devices
    .slice(0, 5)
    .map((d) => d.device)
    .join(", ") + (devices.length > 5 ? `, … (${devices.length})` : "");

/**
 * What a run does next, from its devices' states alone (so a restarted run object
 * decides the same): canaries first, and the rest only once every canary succeeded;
 * never more than `concurrency` at once; no new starts once more than the threshold
 * of finished devices failed. Running devices always finish before the run ends.
 */
export function nextStep(policy: RunPolicy, devices: DeviceProgress[]): Step {
  const running = devices.filter((d) => d.state === "running").length;
  const canaries = devices.filter((d) => d.canary);
  const failedCanaries = canaries.filter((d) => d.state === "failed");
  if (failedCanaries.length > 0) {
    if (running > 0) return { start: [] };
    return { end: "canary_failed", reason: `Canary device(s) failed: ${named(failedCanaries)}; the other devices were not started.` };
  }

  const finished = devices.filter((d) => d.state === "succeeded" || d.state === "failed");
  const failed = finished.filter((d) => d.state === "failed");
  const threshold = policy.abortThresholdPct;
  if (threshold !== undefined && failed.length > 0 && (failed.length * 100) / finished.length > threshold) {
    if (running > 0) return { start: [] };
    return {
      end: "aborted",
      reason: `${failed.length} of ${finished.length} finished devices failed, more than ${threshold}% (${named(failed)}); the rest were not started.`,
    };
  }

  const canariesDone = canaries.every((d) => d.state === "succeeded");
  const pending = (canariesDone ? devices : canaries).filter((d) => d.state === "pending");
  if (pending.length === 0 && running === 0) return { end: failed.length === 0 ? "succeeded" : failed.length === finished.length ? "failed" : "partially_failed" };
  return { start: pending.slice(0, Math.max(0, policy.concurrency - running)).map((d) => d.device) };
}
