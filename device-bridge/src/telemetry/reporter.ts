import { encodeTelemetryBatch, MAX_BATCH_SAMPLES, type TelemetryBatch, type TelemetrySample, type TimedSample } from "@jetson/protocol";
import type { PublishAccepted } from "../link/mqtt-link.js";
import { PublishRefused } from "../link/publish-refused.js";
import type { Logger } from "../log.js";
import type { TelemetryBuffer } from "./buffer.js";

// Room for the MQTT fixed header, topic and properties around a batch's JSON.
const PACKET_OVERHEAD_BYTES = 1_024;

export interface ReporterOptions {
  sample(): Promise<TelemetrySample>;
  buffer: TelemetryBuffer;
  /** Publishes a batch; resolves when the broker acknowledged it (QoS 1), rejects if it could not. */
  publish(batch: TelemetryBatch): Promise<PublishAccepted>;
  /** Whether the link is up now, and the largest packet the broker takes (when it said). */
  link(): { connected: boolean; maxPacketBytes?: number };
  sampleMs: number;
  batchMs: number;
  maxBatchBytes: number;
  log: Logger;
  now?: () => number;
}

/** Publishes each batch in the newest wire encoding (protocol's telemetry-wire). */
export function wirePublisher(publish: (payload: Uint8Array) => Promise<PublishAccepted>): ReporterOptions["publish"] {
  return async (batch) => publish(await encodeTelemetryBatch(batch));
}

/**
 * Samples the board every `sampleMs` into the buffer, and every `batchMs` (and on `flush()`, as on
 * reconnect) sends what the buffer holds, oldest first, one batch in flight at a time.
 */
export class TelemetryReporter {
  private sampleTimer: NodeJS.Timeout | undefined;
  private batchTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private stopped = true;
  private readonly now: () => number;

  constructor(private readonly options: ReporterOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    this.scheduleSample(0);
    this.batchTimer = setInterval(() => void this.flush(), this.options.batchMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.sampleTimer);
    clearInterval(this.batchTimer);
  }

  /** Sends buffered samples while the link is up; a call during a flush joins it. */
  flush(): Promise<void> {
    this.flushing ??= this.sendAll().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async sendAll(): Promise<void> {
    const { buffer, publish, log } = this.options;
    while (!this.stopped && buffer.size > 0) {
      const link = this.options.link();
      if (!link.connected) return;
      const batch = buffer.nextBatch(MAX_BATCH_SAMPLES, this.maxBatchBytes(link.maxPacketBytes));
      try {
        const { reasonString } = await publish({ samples: batch });
        // The cloud stored the valid samples and says what it refused: those would be refused again.
        if (reasonString !== undefined) log.warn(`the cloud stored part of a telemetry batch of ${batch.length} samples: ${reasonString}`);
      } catch (error) {
        if (!(error instanceof PublishRefused)) {
          if (this.stopped) return; // the link closed because the bridge is stopping
          log.warn(`telemetry batch of ${batch.length} samples not delivered, kept for the next try: ${(error as Error).message}`);
          return;
        }
        // The broker answered: the same batch would be refused again, and would block every later one.
        log.error(`the cloud refused a telemetry batch of ${batch.length} samples (reason ${error.reasonCode}, ${error.message}); dropped it`);
      }
      buffer.remove(batch);
    }
  }

  private maxBatchBytes(brokerMax: number | undefined): number {
    return brokerMax === undefined ? this.options.maxBatchBytes : Math.min(this.options.maxBatchBytes, brokerMax - PACKET_OVERHEAD_BYTES);
  }

  // Chained timeouts aimed at multiples of sampleMs: a slow read delays one sample, never piles them up.
  private scheduleSample(delayMs: number): void {
    this.sampleTimer = setTimeout(() => {
      const startedAt = this.now();
      this.takeSample(startedAt).finally(() => {
        if (this.stopped) return;
        const { sampleMs } = this.options;
        this.scheduleSample(Math.max(0, sampleMs - ((this.now() - startedAt) % sampleMs)));
      });
    }, delayMs);
  }

  private async takeSample(t: number): Promise<void> {
    try {
      const sample: TimedSample = { ...(await this.options.sample()), t };
      if (!this.stopped) this.options.buffer.add(sample);
    } catch (error) {
      this.options.log.warn(`telemetry sample failed: ${(error as Error).message}`);
    }
  }
}
