import { z } from "zod";
import { DeviceKeySchema } from "./device-text.js";

/**
 * What a reading can physically be, generously: a sample outside is refused like any malformed one.
 * Beyond meaning nothing, a value near the largest double (1e308) overflowed every sum, mean and
 * rounding made of it into Infinity, which JSON stores as null. Within these, they stay finite.
 */
export const READING_BOUNDS = {
  /** Absolute zero, so the -256 °C the kernel gives an offline sensor still passes; 1000 °C is past any sensor's range. */
  celsius: { min: -273.15, max: 1_000 },
  percent: { min: 0, max: 100 },
  /** 100 GHz: fifty times any Jetson clock (Thor's CPU, 2.6 GHz; AGX Orin's memory, 3.2 GHz). */
  megahertz: { min: 0, max: 100_000 },
  /** 2^40 MB, an exbibyte: past any memory or disk a board has. */
  megabytes: { min: 0, max: 2 ** 40 },
  /** 10 kW either way: an INA3221 rail's current is signed, so an idle rail can read a little below zero. */
  milliwatts: { min: -10_000_000, max: 10_000_000 },
  /** Ten times the fastest fan. */
  rpm: { min: 0, max: 100_000 },
} as const;

const bounded = ({ min, max }: { min: number; max: number }) => z.number().min(min).max(max);
const celsius = bounded(READING_BOUNDS.celsius);
const percent = bounded(READING_BOUNDS.percent);
const megahertz = bounded(READING_BOUNDS.megahertz);
const mb = bounded(READING_BOUNDS.megabytes);
const milliwatts = bounded(READING_BOUNDS.milliwatts);

/**
 * The most entries one of a sample's tables may hold (engines, sensors, rails): a stored sample's size
 * must have a bound. The real boards have at most 10 engines, 7 sensors and 6 rails (the tegrastats fixtures).
 */
export const MAX_SAMPLE_ENTRIES = 64;

/**
 * The most CPUs a sample lists, its one list. Jetsons have at most 14 (Thor), but a discrete-GPU host
 * the bridge also serves (a gateway server with four A10s) has hundreds of threads.
 */
export const MAX_SAMPLE_CPUS = 1_024;

const table = <T extends z.ZodType>(value: T) =>
  z
    .record(DeviceKeySchema, value)
    .refine((entries) => Object.keys(entries).length <= MAX_SAMPLE_ENTRIES, `at most ${MAX_SAMPLE_ENTRIES} entries`);

/**
 * One telemetry sample in the canonical shape both `jetson-bridge parse tegrastats`
 * and the live telemetry use. Every key is optional: a field the board did not
 * report is absent, never 0. Every reading is within READING_BOUNDS, every table
 * within MAX_SAMPLE_ENTRIES, the CPUs within MAX_SAMPLE_CPUS.
 */
export const TelemetrySampleSchema = z.object({
  /** Local wall-clock time printed by tegrastats (JetPack 5+), ISO without zone: 19 characters. */
  time: z.string().max(32).optional(),
  ram: z.object({ usedMB: mb, totalMB: mb }).optional(),
  swap: z.object({ usedMB: mb, totalMB: mb }).optional(),
  cpus: z
    .array(
      z.object({
        online: z.literal(false).optional(),
        loadPct: percent.optional(),
        freqMHz: megahertz.optional(),
      }),
    )
    .max(MAX_SAMPLE_CPUS)
    .optional(),
  gpu: z.object({ loadPct: percent.optional(), freqMHz: megahertz.optional() }).optional(),
  emc: z.object({ loadPct: percent.optional(), freqMHz: megahertz.optional() }).optional(),
  /** Hardware engines by tegrastats' name (NVENC, NVDEC, NVJPG, NVJPG1, VIC, OFA, APE, NVDLA0, PVA0, ...): clock on or off, and its rate. */
  engines: table(z.object({ online: z.boolean(), freqMHz: megahertz.optional(), loadPct: percent.optional() })).optional(),
  tempsC: table(celsius).optional(),
  powerMW: table(z.object({ now: milliwatts, avg: milliwatts.optional(), max: milliwatts.optional() })).optional(),
  totalPowerMW: milliwatts.optional(),
  fan: z.object({ pwmPct: percent.optional(), rpm: bounded(READING_BOUNDS.rpm).optional() }).optional(),
  disk: z.object({ usedMB: mb, totalMB: mb }).optional(),
});
export type TelemetrySample = z.infer<typeof TelemetrySampleSchema>;

/** A sample as stored and sent: the canonical shape plus when it was taken (epoch ms). */
export const TimedSampleSchema = TelemetrySampleSchema.extend({ t: z.number().int().nonnegative() });
export type TimedSample = z.infer<typeof TimedSampleSchema>;

/** The most samples one telemetry message may carry. */
export const MAX_BATCH_SAMPLES = 10_000;

export const TelemetryBatchSchema = z.object({
  samples: z.array(TimedSampleSchema).max(MAX_BATCH_SAMPLES),
});
export type TelemetryBatch = z.infer<typeof TelemetryBatchSchema>;

const EpochMs = z.number().int().nonnegative();

// ---- Queries: what a caller asks for, and what comes back ----

/** `auto`: raw samples for a range of up to 2 h inside the last 24 h, else 1-minute rollups. */
export const TelemetryResolutionSchema = z.enum(["raw", "1m", "auto"]);
export type TelemetryResolution = z.infer<typeof TelemetryResolutionSchema>;

/** A time as a caller writes it: ISO 8601, epoch ms, `now`, or relative to now (`-90s`, `-15m`, `-1h`, `-30d`). */
export const TimeRefSchema = z.string().min(1).max(40);

export const TelemetryQuerySchema = z.object({
  from: TimeRefSchema.optional().describe("Start: ISO 8601, epoch ms, or relative such as -1h or -30d (default -1h)"),
  to: TimeRefSchema.optional().describe("End: same forms, default now"),
  resolution: TelemetryResolutionSchema.default("auto").describe("raw samples, 1m rollups, or auto (raw up to 2 h, else 1m)"),
  maxPoints: z.number().int().min(1).max(5_000).default(500).describe("At most this many points; longer ranges are merged into wider buckets"),
  metrics: z
    .array(z.string().max(64))
    .max(64)
    .optional()
    .describe("Only these rollup metrics, or metric families such as temp or power (1m resolution)"),
});
export type TelemetryQuery = z.infer<typeof TelemetryQuerySchema>;

/** A query with absolute times and a concrete resolution, as the device's object runs it. */
export const TelemetryRangeSchema = z.object({
  from: EpochMs,
  to: EpochMs,
  resolution: z.enum(["raw", "1m"]),
  maxPoints: z.number().int().positive(),
  metrics: z.array(z.string()).optional(),
});
export type TelemetryRange = z.infer<typeof TelemetryRangeSchema>;

export const RollupSchema = z.object({ min: z.number(), mean: z.number(), max: z.number(), count: z.number().int() });
export type Rollup = z.infer<typeof RollupSchema>;

/** One bucket (a minute, or several when merged) with each metric's min, mean and max over it. */
export const RollupPointSchema = z.object({ t: EpochMs, metrics: z.record(z.string(), RollupSchema) });
export type RollupPoint = z.infer<typeof RollupPointSchema>;

export const TelemetrySeriesSchema = z.object({
  from: EpochMs,
  to: EpochMs,
  resolution: z.enum(["raw", "1m"]),
  /** Width of each point: always for 1m (60 000 or a multiple), for raw only when samples were thinned to one per step. */
  stepMs: z.number().int().positive().optional(),
  /** Raw resolution: samples in time order. */
  samples: z.array(TimedSampleSchema).optional(),
  /** 1m resolution: buckets in time order. */
  rollups: z.array(RollupPointSchema).optional(),
});
export type TelemetrySeries = z.infer<typeof TelemetrySeriesSchema>;

/**
 * The newest sample in a few numbers, for the fleet list, and by sensor, rail and engine (exact, as sampled)
 * for metrics scrapes (GET /metrics), which read the registry's summaries rather than wake every device.
 */
export const LatestTelemetrySchema = TelemetrySampleSchema.pick({ tempsC: true, engines: true, ram: true, swap: true, disk: true, fan: true }).extend({
  t: EpochMs,
  hottestC: z.number().optional(),
  cpuLoadPct: z.number().optional(),
  gpuLoadPct: z.number().optional(),
  emcLoadPct: z.number().optional(),
  ramUsedPct: z.number().optional(),
  powerMW: z.number().optional(),
  /** Each power rail's reading now. */
  railsMW: z.record(DeviceKeySchema, z.number()).optional(),
  diskUsedPct: z.number().optional(),
});
export type LatestTelemetry = z.infer<typeof LatestTelemetrySchema>;

// ---- Alerts ----

export const AlertKindSchema = z.enum(["temperature", "throttling", "power", "disk", "offline"]);
export type AlertKind = z.infer<typeof AlertKindSchema>;

export const AlertSchema = z.object({
  kind: AlertKindSchema,
  /** When it was raised: the time of the sample (or of the offline check) that raised it. */
  since: EpochMs,
  clearedAt: EpochMs.optional(),
  /** The value that raised it: °C, MHz (the capped clock), mW, % of disk, or minutes offline. */
  value: z.number(),
  message: z.string(),
});
export type Alert = z.infer<typeof AlertSchema>;

/**
 * Raise at `raise`, clear only once past `clear`: the gap between them keeps an alert from flapping. The
 * Worker also waits for the reading to stay past `clear` for `clearAfterSeconds`, so that one swinging across both stays raised.
 */
const HysteresisSchema = z
  .object({ raise: z.number(), clear: z.number() })
  .refine((band) => band.clear < band.raise, "clear must be below raise");

export const AlertThresholdsSchema = z.object({
  temperatureC: HysteresisSchema.default({ raise: 85, clear: 80 }).describe("Hottest sensor"),
  /** Hot (temperature band), busy, and the fastest CPU core below capRatio of its speed when last busy and cool. */
  throttling: z
    .object({ busyPct: z.number().min(0).max(100).default(50), capRatio: z.number().gt(0).lt(1).default(0.8) })
    .prefault({}),
  /** Total board power; no default, as the limit depends on the board and its supply. */
  powerMW: HysteresisSchema.optional(),
  diskPct: HysteresisSchema.default({ raise: 90, clear: 85 }),
  offlineMinutes: z.number().int().min(1).max(10_080).default(10),
  /**
   * How long (in sample time) a raised alert's condition must stay off before it clears. The band alone
   * lets a reading that swings across all of it (a load that comes and goes every second) raise and
   * clear once per swing; held a minute, such a swing keeps one alert open.
   */
  clearAfterSeconds: z.number().int().min(0).max(3_600).default(60),
});
export type AlertThresholds = z.infer<typeof AlertThresholdsSchema>;
export type AlertThresholdsInput = z.input<typeof AlertThresholdsSchema>;

/** The most cleared alerts a device's alerts list: an answer stays small however often a reading crossed its band. */
export const MAX_RECENT_ALERTS = 100;

export const DeviceAlertsSchema = z.object({
  active: z.array(AlertSchema),
  /** Cleared in the last 24 hours, newest first: the newest MAX_RECENT_ALERTS. */
  recent: z.array(AlertSchema).max(MAX_RECENT_ALERTS),
  /** How many more were cleared in the last 24 hours than `recent` holds; absent when it holds them all. */
  recentOmitted: z.number().int().positive().optional(),
  thresholds: AlertThresholdsSchema,
});
export type DeviceAlerts = z.infer<typeof DeviceAlertsSchema>;
