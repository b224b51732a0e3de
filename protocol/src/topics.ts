import { z } from "zod";
import { AckSchema, CancelSchema, CommandSchema, DeviceStateSchema, ProgressSchema, ResultSchema, StatusSchema } from "./envelopes.js";
import { TelemetryBatchSchema } from "./telemetry.js";
import { PortFrameHeaderSchema } from "./tunnel-frame.js";

/**
 * Every message on the tunnel, keyed by channel. `down` goes cloud to device,
 * `up` device to cloud. Topics are `jetson/<deviceId>/<channel>`.
 */
export const channels = {
  command: { direction: "down", schema: CommandSchema },
  cancel: { direction: "down", schema: CancelSchema },
  ack: { direction: "up", schema: AckSchema },
  progress: { direction: "up", schema: ProgressSchema },
  result: { direction: "up", schema: ResultSchema },
  telemetry: { direction: "up", schema: TelemetryBatchSchema },
  state: { direction: "up", schema: DeviceStateSchema },
  status: { direction: "up", schema: StatusSchema },
  // The port tunnel's binary frames (tunnel-frame.ts); the schema checks their header.
  "port-down": { direction: "down", schema: PortFrameHeaderSchema },
  "port-up": { direction: "up", schema: PortFrameHeaderSchema },
} as const;

export type Channel = keyof typeof channels;
export type ChannelMessage<C extends Channel> = z.infer<(typeof channels)[C]["schema"]>;

const PREFIX = "jetson";
/** Device and fleet ids are also MQTT topic levels and URL segments, so they may not hold `/`, `+` or `#`. */
export const DEVICE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const DeviceIdSchema = z
  .string()
  .regex(DEVICE_ID_PATTERN, "lower-case letters, digits and dashes, starting with a letter or digit, at most 63");
export const FleetIdSchema = DeviceIdSchema;

/** Where a device's bridge dials in, relative to the Worker's URL. */
export function tunnelPath(fleetId: string, deviceId: string): string {
  return `/tunnel/${fleetId}/${deviceId}`;
}

export function topicFor(deviceId: string, channel: Channel): string {
  return `${PREFIX}/${deviceId}/${channel}`;
}

export function parseTopic(topic: string): { deviceId: string; channel: Channel } | undefined {
  const [prefix, deviceId, channel, ...rest] = topic.split("/");
  if (prefix !== PREFIX || rest.length > 0 || !deviceId || !channel) return undefined;
  if (!DEVICE_ID_PATTERN.test(deviceId) || !Object.hasOwn(channels, channel)) return undefined;
  return { deviceId, channel: channel as Channel };
}
