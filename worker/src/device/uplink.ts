import { type BridgeUpdateRecord, type Channel, channels, type ChannelMessage, decodeTelemetryPayload, TelemetryWireError } from "@jetson/protocol";
import type { z } from "zod";
import { type CheckedMessage, checkBatch, joinRefusals } from "../telemetry/batch-check.js";
import { inflateRaw } from "../telemetry/inflate-raw.js";
import type { DeviceTelemetry } from "../telemetry/device-telemetry.js";
import { RETENTION_EVERY_MS } from "../telemetry/retention.js";
import type { AlarmScheduler } from "./alarm-scheduler.js";
import type { CommandPath } from "./command-path.js";
import { type Acknowledgement, Reason } from "./mqtt-session.js";
import type { DeviceStore } from "./store.js";
import type { SummaryPublisher } from "./summary-publisher.js";

/** Channels whose messages keep their valid parts; every other message is checked whole by its schema. */
const PART_CHECKS: { [C in Channel]?: (json: unknown) => CheckedMessage<ChannelMessage<C>> } = { telemetry: checkBatch };

/** Channels with a wire encoding of their own (telemetry: version 1 JSON or compact version 2); every other message is JSON. */
const DECODERS: { [C in Channel]?: (payload: Uint8Array) => Promise<unknown> } = { telemetry: (payload) => decodeTelemetryPayload(payload, inflateRaw) };

async function asJson(payload: Uint8Array): Promise<unknown> {
  return JSON.parse(new TextDecoder().decode(payload));
}

/** What a handler adds to its message's PUBACK: what it left out of it, and whether it kept none of it. */
interface Handled {
  refused: readonly string[];
  keptNone: boolean;
}

function wholly(schema: z.ZodType, json: unknown): CheckedMessage<unknown> {
  const parsed = schema.safeParse(json);
  return parsed.success ? { message: parsed.data } : {};
}

/** A device's publishes: checked against their channel's schema, then routed by channel. */
export class Uplink {
  constructor(
    private readonly store: DeviceStore,
    private readonly commands: CommandPath,
    private readonly telemetry: DeviceTelemetry,
    private readonly scheduler: AlarmScheduler<"retention">,
    private readonly publisher: SummaryPublisher,
    private readonly refreshDesired: () => Promise<void>,
    /** A new report of the device's last bridge update (kept or rolled back), for the audit trail. */
    private readonly updateReported: (record: BridgeUpdateRecord) => Promise<void>,
  ) {}

  /** Handles a device-to-cloud message; answers how its PUBACK does. */
  async received(channel: Channel, payload: Uint8Array): Promise<Acknowledgement> {
    const definition = channels[channel];
    if (definition.direction !== "up") return { reason: Reason.notAuthorized };
    let json: unknown;
    try {
      json = await (DECODERS[channel] ?? asJson)(payload);
    } catch (error) {
      // A telemetry payload of neither version says why in the PUBACK.
      return error instanceof TelemetryWireError ? { reason: Reason.payloadInvalid, reasonString: error.message } : { reason: Reason.payloadInvalid };
    }
    const partly = PART_CHECKS[channel];
    const { message, refused } = partly ? partly(json) : wholly(definition.schema, json);
    if (message === undefined) return { reason: Reason.payloadInvalid, ...(refused !== undefined && { reasonString: refused }) };
    // The message was checked against this channel's own schema.
    const handled = await (this.handlers[channel] as ((message: unknown) => Promise<Handled | void> | Handled | void) | undefined)?.(message);
    const reasonString = joinRefusals([refused, ...(handled?.refused ?? [])]);
    return { reason: handled?.keptNone ? Reason.payloadInvalid : Reason.success, ...(reasonString !== undefined && { reasonString }) };
  }

  /** The Last Will is delivered as if the device had published it. */
  async fireWill(will: { topic: string; payload: string }): Promise<void> {
    const channel = will.topic.split("/")[2];
    if (channel && channel in channels) await this.received(channel as Channel, new TextEncoder().encode(will.payload));
  }

  /** What each device-to-cloud message does; `status` is informational (presence follows the socket). */
  private readonly handlers: { [C in Channel]?: (message: ChannelMessage<C>) => void | Handled | Promise<void | Handled> } = {
    ack: (ack) => this.commands.acknowledged(ack),
    progress: (progress) => this.commands.progressed(progress),
    result: (result) => this.commands.finished(result),
    telemetry: async ({ samples }) => {
      const now = Date.now();
      const { alertsChanged, refused, noneInWindow } = this.telemetry.ingest(samples, now);
      await this.scheduler.ensure("retention", now + RETENTION_EVERY_MS);
      // An alert raised or cleared goes to the registry at once; figures alone are held back.
      await this.publisher.refresh(alertsChanged);
      // Like a batch with no valid sample: none could be kept, and sending it again would not change that.
      return { refused, keptNone: noneInWindow };
    },
    state: async (state) => {
      const before = this.store.state()?.update;
      this.store.setState(state);
      if (state.update && state.update.at !== before?.at) await this.updateReported(state.update);
      await this.publisher.publish();
      // Board or release may have changed what the fleet's rules choose.
      await this.refreshDesired();
    },
  };
}
