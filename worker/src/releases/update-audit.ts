import type { AuditEntry, BridgeUpdateRecord } from "@jetson/protocol";

/** How a device's report of its last bridge update reads in the fleet's audit trail (beside the command that started it). */
export function updateAuditEntry(deviceId: string, record: BridgeUpdateRecord): Omit<AuditEntry, "id"> {
  return {
    at: record.at,
    caller: `device:${deviceId}`,
    device: deviceId,
    action: "bridge.update",
    args: { version: record.version, from: record.from },
    outcome: record.outcome === "updated" ? "succeeded" : "failed",
    error: record.outcome === "rolled-back" ? `rolled back to ${record.from}: ${record.reason ?? "no reason given"}` : undefined,
    durationMs: 0,
  };
}
