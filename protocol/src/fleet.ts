import { z } from "zod";
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

/** One entry of a device's command ledger. */
export const CommandRecordSchema = z.object({
  id: z.string(),
  action: z.string(),
  state: z.enum(["queued", "sent", "running", "succeeded", "failed", "timed_out"]),
  requestedBy: z.string(),
  createdAt: z.number(),
  endedAt: z.number().optional(),
});
export type CommandRecord = z.infer<typeof CommandRecordSchema>;
