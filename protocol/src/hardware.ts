import { z } from "zod";

/** Shapes the device bridge reads from Jetson tools (nvpmodel, jetson_clocks, nv_tegra_release, nvidia-smi). */

const count = z.number().int().nonnegative();
const freq = z.number().int().nonnegative();

// ---- nvpmodel ----

/**
 * A clock limit of a power mode. nvpmodel writes -1 or INT_MAX (2147483647) for
 * "no cap"; that becomes "max" so no one mistakes it for a frequency.
 */
export const ClockLimitSchema = z.union([freq, z.literal("max")]);
export type ClockLimit = z.infer<typeof ClockLimitSchema>;

export const PowerModeParamsSchema = z.object({
  /** Core number ("0", "1", ...) -> whether the mode keeps it online. */
  cpuOnline: z.record(z.string().regex(/^\d+$/), z.boolean()).optional(),
  /** Per CPU cluster as nvpmodel names it (CPU_A57, CPU_A78_0, CPU_DENVER_1): limits in kHz. */
  cpuFreqs: z
    .record(z.string(), z.object({ minKHz: ClockLimitSchema.optional(), maxKHz: ClockLimitSchema.optional() }))
    .optional(),
  gpuFreq: z.object({ minHz: ClockLimitSchema.optional(), maxHz: ClockLimitSchema.optional() }).optional(),
});
export type PowerModeParams = z.infer<typeof PowerModeParamsSchema>;

/** One mode of the board's table. Ids and names differ per board: never assume them. */
export const PowerModeSchema = z.object({
  id: count,
  name: z.string().min(1),
  params: PowerModeParamsSchema,
});
export type PowerMode = z.infer<typeof PowerModeSchema>;

/** The mode table from /etc/nvpmodel.conf or `nvpmodel -p --verbose`. */
export const PowerModeTableSchema = z.object({
  /** The mode the board boots into, when the table states it. */
  defaultId: count.optional(),
  modes: z.array(PowerModeSchema),
});
export type PowerModeTable = z.infer<typeof PowerModeTableSchema>;

/** The active mode, from `nvpmodel -q`. */
export const CurrentPowerModeSchema = z.object({ id: count, name: z.string().min(1) });
export type CurrentPowerMode = z.infer<typeof CurrentPowerModeSchema>;

/** What `nvpmodel -m N` said. */
export const PowerModeChangeSchema = z.object({
  rebootRequired: z.boolean(),
  /** nvpmodel asked for YES on standard input (it blocks until answered). */
  rebootPrompted: z.boolean(),
  rebooting: z.boolean(),
  /** Text of NVPM ERROR lines. */
  errors: z.array(z.string()),
});
export type PowerModeChange = z.infer<typeof PowerModeChangeSchema>;

// ---- jetson_clocks --show ----

const clockHz = z.object({ minHz: freq.optional(), maxHz: freq.optional(), curHz: freq.optional() });

export const CpuClockSchema = z.object({
  cpu: count,
  online: z.boolean().optional(),
  governor: z.string().optional(),
  minKHz: freq.optional(),
  maxKHz: freq.optional(),
  curKHz: freq.optional(),
});
export type CpuClock = z.infer<typeof CpuClockSchema>;

export const ClocksStatusSchema = z.object({
  soc: z.string().optional(),
  machine: z.string().optional(),
  /** Sorted by cpu number. */
  cpus: z.array(CpuClockSchema),
  gpu: clockHz.extend({ activeTpcs: count.optional() }).optional(),
  emc: clockHz.optional(),
  fan: z
    .object({
      /** Who drives the fan: "active", "kernel", ... */
      control: z.string().optional(),
      /** PWM 0-255. */
      pwm: z.number().int().min(0).max(255).optional(),
    })
    .optional(),
  powerMode: z.string().optional(),
  /** Online CPUs min == max, GPU min == max, EMC current == max (where shown). */
  lockedAtMax: z.boolean(),
});
export type ClocksStatus = z.infer<typeof ClocksStatusSchema>;

// ---- L4T / JetPack ----

export const L4tReleaseSchema = z.object({
  /** e.g. "36.4.3". */
  l4t: z.string().regex(/^\d+\.\d+\.\d+$/),
  major: count,
  /** e.g. "4.3". */
  revision: z.string().regex(/^\d+\.\d+$/),
  /** As printed; unreliable (t186ref on Orin, "generic" on JetPack 6). */
  board: z.string().optional(),
  /** Absent when the L4T release is not in the known table. */
  jetpack: z.string().optional(),
});
export type L4tRelease = z.infer<typeof L4tReleaseSchema>;

// ---- nvidia-smi ----

export const GpuInfoSchema = z.object({
  index: count,
  name: z.string().optional(),
  temperatureC: z.number().optional(),
  memoryUsedMiB: z.number().nonnegative().optional(),
  memoryTotalMiB: z.number().nonnegative().optional(),
  utilizationPct: z.number().nonnegative().optional(),
  powerDrawW: z.number().nonnegative().optional(),
});
export type GpuInfo = z.infer<typeof GpuInfoSchema>;

export const GpuListSchema = z.array(GpuInfoSchema);
export type GpuList = z.infer<typeof GpuListSchema>;
