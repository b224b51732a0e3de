import type { TelemetrySample } from "@jetson/protocol";

/** Where a device's samples come from: its own sysfs (Sampler), or a tegrastats stream (gateway mode). */
export interface TelemetrySource {
  sample(): Promise<TelemetrySample>;
  stop(): void;
}
