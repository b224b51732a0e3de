import { z } from "zod";
import { ActionErrorSchema } from "./errors.js";
import { deviceText } from "./device-text.js";
import { CurrentPowerModeSchema } from "./hardware.js";
import { BridgeUpdateRecordSchema } from "./releases.js";

/** Epoch milliseconds. */
const EpochMs = z.number().int().nonnegative();

export const CommandIdSchema = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/);

/** Cloud to device: run one catalogued action. */
export const CommandSchema = z.object({
  id: CommandIdSchema,
  action: z.string().min(1).max(64),
  args: z.record(z.string(), z.unknown()),
  /** After this instant (on the Worker's clock) the device must not start the command. */
  deadline: EpochMs,
  /**
   * When the Worker sent it, on the Worker's clock: the device counts `deadline - sentAt` from the
   * command's arrival on its own clock, so a device clock ahead or behind moves no deadline. Absent from older Workers.
   */
  sentAt: EpochMs.optional(),
  /** Who asked, for the device's own log. */
  requestedBy: z.string().max(200),
});
export type Command = z.infer<typeof CommandSchema>;

/**
 * The MQTT 5 user property of the CONNACK that carries the Worker's clock (epoch ms, decimal) when it
 * accepted the device: the device's first measure of how far its clock is from the Worker's, so that
 * even the first command after it connects is judged by how long it spent on the way (see `sentAt`).
 */
export const CLOUD_CLOCK_PROPERTY = "cloud-clock";

/** Cloud to device: stop a running command; its handler is aborted and its result says `cancelled`. */
export const CancelSchema = z.object({ id: CommandIdSchema });
export type Cancel = z.infer<typeof CancelSchema>;

/** Device to cloud: the command arrived and will run (or ran already). */
export const AckSchema = z.object({ id: CommandIdSchema });
export type Ack = z.infer<typeof AckSchema>;

export const ProgressSchema = z.object({
  id: CommandIdSchema,
  done: z.number().nonnegative(),
  total: z.number().positive().optional(),
  message: deviceText(500).optional(),
});
export type Progress = z.infer<typeof ProgressSchema>;

const ResultTimes = { id: CommandIdSchema, startedAt: EpochMs, endedAt: EpochMs };

export const ResultSchema = z.discriminatedUnion("ok", [
  z.object({ ...ResultTimes, ok: z.literal(true), data: z.unknown() }),
  z.object({ ...ResultTimes, ok: z.literal(false), error: ActionErrorSchema }),
]);
export type Result = z.infer<typeof ResultSchema>;

/** What the device says about itself, retained by the cloud. */
export const DeviceStateSchema = z.object({
  hostname: deviceText(253),
  board: deviceText(128).optional(),
  soc: deviceText(64).optional(),
  l4t: deviceText(32).optional(),
  jetpack: deviceText(32).optional(),
  bridgeVersion: deviceText(64),
  /** The active nvpmodel mode; absent where nvpmodel is missing or does not answer. */
  powerMode: CurrentPowerModeSchema.optional(),
  /** Names of the catalogued actions this bridge can run. */
  capabilities: z.array(deviceText(64)).max(1_000),
  /** How the last bridge update ended, if there was one. */
  update: BridgeUpdateRecordSchema.optional(),
});
export type DeviceState = z.infer<typeof DeviceStateSchema>;

/** Presence as published by the bridge (and by its Last Will). */
export const StatusSchema = z.object({ online: z.boolean() });
export type Status = z.infer<typeof StatusSchema>;
