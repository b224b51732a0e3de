import { z } from "zod";

const mb = z.number().nonnegative();

/**
 * One telemetry sample in the canonical shape both `jetson-bridge parse tegrastats`
 * and the live telemetry use. Every key is optional: a field the board did not
 * report is absent, never 0.
 */
export const TelemetrySampleSchema = z.object({
  /** Local wall-clock time printed by tegrastats (JetPack 5+), ISO without zone. */
  time: z.string().optional(),
  ram: z.object({ usedMB: mb, totalMB: mb }).optional(),
  swap: z.object({ usedMB: mb, totalMB: mb }).optional(),
  cpus: z
    .array(
      z.object({
        online: z.literal(false).optional(),
        loadPct: z.number().optional(),
        freqMHz: z.number().optional(),
      }),
    )
    .optional(),
  gpu: z.object({ loadPct: z.number().optional(), freqMHz: z.number().optional() }).optional(),
  emc: z.object({ loadPct: z.number().optional(), freqMHz: z.number().optional() }).optional(),
  tempsC: z.record(z.string(), z.number()).optional(),
  powerMW: z
    .record(z.string(), z.object({ now: z.number(), avg: z.number().optional(), max: z.number().optional() }))
    .optional(),
  totalPowerMW: z.number().optional(),
  fan: z.object({ pwmPct: z.number().optional(), rpm: z.number().optional() }).optional(),
  disk: z.object({ usedMB: mb, totalMB: mb }).optional(),
});
export type TelemetrySample = z.infer<typeof TelemetrySampleSchema>;

/** A sample as stored and sent: the canonical shape plus when it was taken (epoch ms). */
export const TimedSampleSchema = TelemetrySampleSchema.extend({ t: z.number().int().nonnegative() });
export type TimedSample = z.infer<typeof TimedSampleSchema>;

export const TelemetryBatchSchema = z.object({
  samples: z.array(TimedSampleSchema).max(10_000),
});
export type TelemetryBatch = z.infer<typeof TelemetryBatchSchema>;
