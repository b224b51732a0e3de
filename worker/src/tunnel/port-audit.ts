import type { AuditEntry } from "@jetson/protocol";
import type { Env } from "../env.js";
import { AuditTrail } from "../audit/audit-trail.js";

/** What the port tunnel audits: opening (or its refusal), closing, and expiry. */
export type PortAuditAction = "open_device_port" | "close_device_port" | "device_port_expired";

/** The one place the port tunnel writes to the fleet's audit trail. */
export async function auditPort(
  env: Env,
  fleet: string,
  entry: Pick<AuditEntry, "caller" | "device" | "args" | "outcome" | "error"> & { action: PortAuditAction },
): Promise<void> {
  await new AuditTrail(env, fleet).record({ at: Date.now(), durationMs: 0, ...entry });
}
