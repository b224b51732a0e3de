import { z } from "zod";
import { DriftSchema } from "./desired-state.js";
import { DeviceStateSchema } from "./envelopes.js";
import { AlertSchema, LatestTelemetrySchema } from "./telemetry.js";

/** A device as the fleet registry knows it (answerable without waking the device's object). */
export const DeviceSummarySchema = z.object({
  id: z.string(),
  fleet: z.string(),
  online: z.boolean(),
  /** Epoch ms of the current connection's start, while online. */
  connectedSince: z.number().optional(),
  /** Epoch ms of the last packet from the device. */
  lastSeen: z.number().optional(),
  state: DeviceStateSchema.optional(),
  /** Alerts active now. */
  alerts: z.array(AlertSchema).optional(),
  /** The newest telemetry sample, in brief. */
  latest: LatestTelemetrySchema.optional(),
  /** Set by operators; selectors choose devices by them (tag:warehouse). */
  tags: z.array(z.string()).optional(),
  /** What the device's desired state asks that it could not make true. */
  drift: z.array(DriftSchema).optional(),
});
export type DeviceSummary = z.infer<typeof DeviceSummarySchema>;

export const ProvisionedDeviceSchema = z.object({
  id: z.string(),
  fleet: z.string(),
  /** The device's secret; shown once, stored only as a hash. */
  token: z.string(),
  tunnelPath: z.string(),
});
export type ProvisionedDevice = z.infer<typeof ProvisionedDeviceSchema>;

/** The systemd unit provisioning installs the bridge as (infra/device/jetson-bridge.service), which the bridge must never stop. */
export const BRIDGE_UNIT = "jetson-bridge.service";

/** One entry of a device's command ledger. */
export const CommandRecordSchema = z.object({
  id: z.string(),
  action: z.string(),
  /**
   * `expired`: a command queued for an offline device that did not come back in time; it never ran.
   * `cancelled`: stopped at the caller's request (tasks/cancel); the device aborted it if it had started.
   */
  state: z.enum(["queued", "sent", "running", "succeeded", "failed", "timed_out", "expired", "cancelled"]),
  requestedBy: z.string(),
  createdAt: z.number(),
  endedAt: z.number().optional(),
});
export type CommandRecord = z.infer<typeof CommandRecordSchema>;

/** An unused enrollment code as its fleet lists it (GET /api/enrollments): never the code, nor its hash. */
export const OpenEnrollmentSchema = z.object({
  device: z.string(),
  expiresAt: z.number(),
  /** Who made the code; absent for codes made before this was recorded. */
  createdBy: z.string().optional(),
});
export type OpenEnrollment = z.infer<typeof OpenEnrollmentSchema>;
