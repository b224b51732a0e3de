import type { TelemetrySample } from "@jetson/protocol";
import type { HostPort } from "../host/port.js";
import type { Logger } from "../log.js";
import type { TelemetrySource } from "./source.js";
import { TegrastatsStream } from "./tegrastats-stream.js";

/**
 * Samples from one long-running tegrastats: for a Jetson reached over SSH, one
 * stream on the kept-open connection instead of dozens of file reads a second.
 */
export class TegrastatsSource implements TelemetrySource {
  private readonly stream: TegrastatsStream;

  constructor(
    host: HostPort,
    private readonly intervalMs: number,
    log?: Logger,
  ) {
    this.stream = new TegrastatsStream(host, intervalMs, log);
  }

  async sample(): Promise<TelemetrySample> {
    this.stream.ensureRunning();
    // Nothing recent (the stream is starting or restarting): an empty sample, never made-up zeros.
    return this.stream.latest(3 * this.intervalMs) ?? {};
  }

  stop(): void {
    this.stream.stop();
  }
}
