import { z } from "zod";
import { deviceText } from "./device-text.js";

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
  /** GPU TPCs the mode power-gates, one bit per TPC; nvpmodel changes it only at boot. */
  tpcPgMask: count.optional(),
  /** Memory controller (EMC) cap in Hz. */
  emcMaxHz: ClockLimitSchema.optional(),
  /** DLA, PVA and CVNAS clock caps in Hz, by nvpmodel's name (DLA0_CORE, PVA0_VPS, DLA_FALCON). */
  engineMaxHz: z.record(z.string(), ClockLimitSchema).optional(),
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
export const CurrentPowerModeSchema = z.object({ id: count, name: deviceText(64).min(1) });
export type CurrentPowerMode = z.infer<typeof CurrentPowerModeSchema>;

/** power.modes: the table, the active mode, and per mode whether reaching it from the active one needs a reboot. */
export const PowerModesSchema = PowerModeTableSchema.extend({
  modes: z.array(
    PowerModeSchema.extend({
      /** Its TPC_PG_MASK differs from the active mode's: nvpmodel applies it only through a reboot. Absent from bridges that predate it. */
      rebootRequired: z.boolean().optional(),
    }),
  ),
  current: CurrentPowerModeSchema,
});
export type PowerModes = z.infer<typeof PowerModesSchema>;

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

// ---- what the board is (hardware.info) ----

const mbValue = z.number().nonnegative();

export const HardwareInfoSchema = z.object({
  hostname: z.string(),
  /** /proc/device-tree/model; third-party carriers print their own. */
  board: z.string().optional(),
  /** /proc/device-tree/serial-number, where the board's device tree has one. */
  serialNumber: deviceText(64).optional(),
  /** e.g. "tegra234". */
  soc: z.string().optional(),
  /** e.g. "Orin", from the SoC. */
  family: z.string().optional(),
  /** The compute module, by the part number in the device tree (p3701-0005 = AGX Orin 64GB). */
  module: z.object({ partNumber: z.string(), name: z.string().optional() }).optional(),
  /** Part number of the carrier board, when the device tree names one (p3737-0000). */
  carrier: z.string().optional(),
  l4t: z.string().optional(),
  jetpack: z.string().optional(),
  /** From /usr/local/cuda/version.json or version.txt; absent when CUDA is not installed. */
  cuda: z.string().optional(),
  kernel: z.string().optional(),
  cpuCount: count.optional(),
  memory: z.object({ totalMB: mbValue, swapTotalMB: mbValue.optional() }).optional(),
  storage: z.object({ path: z.string(), totalMB: mbValue, freeMB: mbValue }).optional(),
  /** Discrete GPUs from nvidia-smi, on hosts that are not Jetsons. */
  gpus: GpuListSchema.optional(),
});
export type HardwareInfo = z.infer<typeof HardwareInfoSchema>;

// ---- thermal zones ----

export const TemperaturesSchema = z.object({
  /** Every readable zone by its sysfs type (cpu-thermal, CPU-therm, ...), in °C. */
  sensors: z.array(
    z.object({
      name: z.string(),
      tempC: z.number(),
      /** The zone's trip points in order, as the kernel lists them (passive: throttling starts; critical: shutdown). */
      trips: z.array(z.object({ type: z.string(), tempC: z.number() })).optional(),
    }),
  ),
  /** Zones left out and why: offline sensors (-256 °C), fixed placeholders (PMIC-Die), unreadable files. */
  omitted: z.array(z.object({ name: z.string(), reason: z.enum(["offline", "placeholder", "unreadable"]) })),
});
export type Temperatures = z.infer<typeof TemperaturesSchema>;

// ---- power modes ----

export const PowerModeSetResultSchema = z.object({
  requested: CurrentPowerModeSchema,
  previous: CurrentPowerModeSchema,
  current: CurrentPowerModeSchema,
  /** The board now runs the requested mode and did not before. */
  changed: z.boolean(),
  /** The requested mode only takes effect after a reboot; nothing was changed. */
  rebootRequired: z.boolean(),
  /** jetson_clocks had the clocks locked: paused for the switch, and locked again at the new mode's maximum. Absent from bridges that predate it. */
  clocksRelocked: z.boolean().optional(),
  message: z.string(),
});
export type PowerModeSetResult = z.infer<typeof PowerModeSetResultSchema>;

// ---- fan ----

const pwm = z.number().int().min(0).max(255);

/** A profile name as /etc/nvfancontrol.conf writes it (FAN_PROFILE quiet {). */
export const FanProfileNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "a profile name: letters, digits, _ and -");

export const FanStatusSchema = z.object({
  /** PWM the fan is driven at now, 0-255. */
  pwm,
  pwmPct: z.number().min(0).max(100),
  /** Where the driver ramps towards a target (JetPack 4 pwm-fan), the target. */
  targetPwm: pwm.optional(),
  /** Only on fans with a tachometer. */
  rpm: z.number().nonnegative().optional(),
  /** JetPack 4 pwm-fan: the kernel sets the speed from the temperature (temp_control 1); a PWM set turns it off. */
  tempControl: z.boolean().optional(),
  /** NVIDIA's fan daemon (JetPack 5+), when /etc/nvfancontrol.conf exists. */
  nvfancontrol: z
    .object({
      /** While it runs, it sets the speed from its profile and overrides a manual PWM. */
      running: z.boolean(),
      /** The profile it runs, from its status file (/var/lib/nvfancontrol/status); else the one it starts with. */
      profile: z.string().optional(),
      /** FAN_DEFAULT_PROFILE: the profile it starts with. */
      defaultProfile: z.string().optional(),
      profiles: z.array(z.string()),
      /** open_loop or close_loop, as it runs (else FAN_DEFAULT_CONTROL). */
      control: z.string().optional(),
    })
    .optional(),
});
export type FanStatus = z.infer<typeof FanStatusSchema>;

// ---- GPIO (40-pin header) ----

const headerPin = z.number().int().min(1).max(40);

export const GpioLineSchema = z.object({
  /** Pin on the 40-pin header (BOARD numbering). */
  pin: headerPin,
  /** Signal name on the module connector, e.g. GPIO09 or SPI0_MOSI. */
  signal: z.string(),
  /** Kernel line name (the SoC pad, e.g. PQ.06); absent where the kernel leaves lines unnamed (JetPack 4). */
  lineName: z.string().optional(),
  /** Label of the GPIO controller, e.g. tegra234-gpio. */
  chip: z.string(),
  /** The controller's character device name, e.g. gpiochip0. */
  device: z.string(),
  line: count,
  direction: z.enum(["input", "output"]).optional(),
  activeLow: z.boolean().optional(),
  /** Who holds the line, when something does (a kernel driver or a process); such a line is not written. */
  consumer: z.string().optional(),
});
export type GpioLine = z.infer<typeof GpioLineSchema>;

export const GpioValueSchema = z.object({
  pin: headerPin,
  value: z.union([z.literal(0), z.literal(1)]),
  chip: z.string(),
  device: z.string(),
  line: count,
});
export type GpioValue = z.infer<typeof GpioValueSchema>;

/** A fan's PWM (0-255, as sysfs has it) as the percentage fan_get, telemetry and desired state speak of. */
export function pwmPercent(pwm: number): number {
  return Math.round((pwm / 255) * 100);
}
