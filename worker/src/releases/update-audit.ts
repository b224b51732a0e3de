import type { AuditEntry, BridgeUpdateRecord } from "@jetson/protocol";
import { AUDIT_LIMITS, DAY_MS } from "../audit/audit-days.js";

/**
 * The device's own time of its update, when its clock is anywhere near the Worker's (no older than the trail
 * keeps, at most a day ahead); a clock further off says nothing worth keeping (a board without a clock boots in 1970).
 */
function deviceTime(at: number, now: number): string | undefined {
  return at >= now - AUDIT_LIMITS.retentionMs && at <= now + DAY_MS ? new Date(at).toISOString() : undefined;
}

/**
 * How a device's report of its last bridge update reads in the fleet's audit trail (beside the command that started it).
 * The row is timed by the Worker, as every row is: the device's clock decides neither where the row sorts nor its day.
 */
export function updateAuditEntry(deviceId: string, record: BridgeUpdateRecord): Omit<AuditEntry, "id"> {
  const now = Date.now();
  const reported = deviceTime(record.at, now);
  return {
    at: now,
    caller: `device:${deviceId}`,
    device: deviceId,
    action: "bridge.update",
    args: { version: record.version, from: record.from, ...(reported !== undefined && { deviceTime: reported }) },
    outcome: record.outcome === "updated" ? "succeeded" : "failed",
    error: record.outcome === "rolled-back" ? `rolled back to ${record.from}: ${record.reason ?? "no reason given"}` : undefined,
    durationMs: 0,
  };
}
