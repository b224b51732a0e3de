import { z } from "zod";
import {
  ClocksStatusSchema,
  CurrentPowerModeSchema,
  FanProfileNameSchema,
  FanStatusSchema,
  GpioLineSchema,
  GpioValueSchema,
  HardwareInfoSchema,
  PowerModeSetResultSchema,
  PowerModesSchema,
  TemperaturesSchema,
} from "../hardware.js";
import { TimedSampleSchema } from "../telemetry.js";
import { type ActionHints, defineAction, READ_ONLY } from "./define.js";

/** Changes the board's state, and doing it twice is the same as once. */
const SETTING: ActionHints = { readOnly: false, destructive: false, idempotent: true };

const modeId = z.number().int().nonnegative();
/** As nvpmodel names a mode (MODE_15W, MAXN): unlike ids, the same on every board that has it. */
const modeName = z.string().min(1).max(64);
const headerPin = z.number().int().min(1).max(40).describe("Pin number on the 40-pin header (BOARD numbering, 1-40)");

// ---- what the board is ----

export const hardwareInfo = defineAction({
  name: "hardware.info",
  title: "Hardware information",
  description:
    "What the board is: model, serial number (where the device tree has one), SoC and family, compute module and carrier part numbers, L4T and JetPack releases, CUDA version (when installed), CPU count, memory and root storage. On a host with discrete NVIDIA GPUs, also the GPUs from nvidia-smi.",
  schemas: () => ({
    input: z.object({}),
    output: HardwareInfoSchema,
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 20_000,
});

export const hardwareTemperatures = defineAction({
  name: "hardware.temperatures",
  title: "Temperatures",
  description:
    "Every thermal zone of the board by its name, in °C. Offline sensors (-256 °C), the fixed PMIC-Die placeholder and unreadable zones are listed apart under omitted, never as readings.",
  schemas: () => ({
    input: z.object({}),
    output: TemperaturesSchema,
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 10_000,
});

// ---- power modes ----

export const powerModes = defineAction({
  name: "power.modes",
  title: "List power modes",
  description:
    "The board's own nvpmodel power modes from /etc/nvpmodel.conf (ids and names differ per board), each with the CPU cores it keeps online, its CPU, GPU, EMC, DLA and PVA clock caps, its GPU TPC power-gating mask, and whether switching to it from the current mode needs a reboot (a different TPC_PG_MASK), plus the default and the current mode.",
  schemas: () => ({
    input: z.object({}),
    output: PowerModesSchema,
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 15_000,
});

export const powerGet = defineAction({
  name: "power.get",
  title: "Current power mode",
  description: "The nvpmodel power mode the board runs now (id and name).",
  schemas: () => ({
    input: z.object({}),
    output: CurrentPowerModeSchema,
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 10_000,
});

export const powerSet = defineAction({
  name: "power.set",
  title: "Set power mode",
  description:
    "Switches the board to one of its nvpmodel power modes (see power.modes), chosen by id or by name. Ids differ per board (id 2 is MODE_30W on an AGX Orin and MODE_15W on an AGX Xavier): a call or fleet run across board families should name the mode (name, matched without regard to case), which a board without it refuses. A mode the board does not have is refused with the list of valid ones. This never reboots: a mode that needs a reboot (its GPU TPC_PG_MASK differs from the current mode's; power.modes says which) is refused (unavailable) and nothing is changed; power.reboot with powerModeId or powerModeName switches to it and reboots. Clocks locked by jetson_clocks stay locked: the lock is paused for the switch and taken again at the new mode's maximum.",
  schemas: () => ({
    input: z
      .object({
        id: modeId.optional().describe("Power mode id from power.modes (ids differ per board)"),
        name: modeName.optional().describe("Power mode name as nvpmodel names it, e.g. MODE_15W (case does not matter)"),
      })
      .refine((input) => (input.id === undefined) !== (input.name === undefined), { message: "give either id or name, not both" }),
    output: PowerModeSetResultSchema,
  }),
  hints: SETTING,
  defaultTimeoutMs: 60_000,
});

export const powerReboot = defineAction({
  name: "power.reboot",
  title: "Reboot the device",
  description:
    "Reboots the device (systemctl reboot). With powerModeId or powerModeName, first selects that nvpmodel power mode so the board comes back in it (the way to reach a mode that needs a reboot); ids differ per board, so a run across board families should name the mode. The device is offline until it has booted again.",
  schemas: () => ({
    input: z
      .object({
        powerModeId: modeId.optional().describe("Power mode to boot into, from power.modes (ids differ per board)"),
        powerModeName: modeName.optional().describe("Power mode to boot into, by its nvpmodel name (case does not matter)"),
      })
      .refine((input) => input.powerModeId === undefined || input.powerModeName === undefined, { message: "give powerModeId or powerModeName, not both" }),
    output: z.object({ rebooting: z.literal(true), powerMode: CurrentPowerModeSchema.optional(), message: z.string() }),
  }),
  hints: { readOnly: false, destructive: true, idempotent: false },
  defaultTimeoutMs: 60_000,
});

export const powerShutdown = defineAction({
  name: "power.shutdown",
  title: "Shut the device down",
  description:
    "Powers the device off (systemctl poweroff). It stays offline until someone powers it on at the board: nothing in the fleet can switch it back on. The result says when it went down (at).",
  schemas: () => ({
    input: z.object({}),
    output: z.object({ poweringOff: z.literal(true), at: z.number().int().describe("When poweroff was issued, epoch ms by the bridge's clock"), message: z.string() }),
  }),
  hints: { readOnly: false, destructive: true, idempotent: false },
  defaultTimeoutMs: 60_000,
});

// ---- clocks ----

export const clocksStatus = defineAction({
  name: "clocks.status",
  title: "Clock status",
  description:
    "jetson_clocks --show: per-core CPU governor and clocks, GPU and EMC clocks (min, max, current), and whether clocks are locked at their maximum.",
  schemas: () => ({
    input: z.object({}),
    output: ClocksStatusSchema,
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 30_000,
});

export const clocksLock = defineAction({
  name: "clocks.lock",
  title: "Lock clocks at maximum",
  description:
    "Runs jetson_clocks: CPU, GPU and EMC clocks pinned at the current power mode's maximum. The clock settings before the lock are saved first (unless clocks are already locked) so clocks.restore brings them back. A reboot ends the lock; power.set keeps it, at the new mode's maximum.",
  schemas: () => ({
    input: z.object({}),
    output: z.object({
      status: ClocksStatusSchema,
      /** False when clocks were locked already, so the earlier saved state was kept. */
      saved: z.boolean(),
    }),
  }),
  hints: SETTING,
  defaultTimeoutMs: 30_000,
});

export const clocksRestore = defineAction({
  name: "clocks.restore",
  title: "Restore clocks",
  description:
    "jetson_clocks --restore: brings back the clock settings saved by clocks.lock, ending the lock. With the clocks not locked (a reboot ends the lock) it changes nothing and answers their status. Settings saved in another power mode or before a reboot are refused (unavailable), even with the clocks locked again since.",
  schemas: () => ({
    input: z.object({}),
    output: z.object({ status: ClocksStatusSchema }),
  }),
  hints: SETTING,
  defaultTimeoutMs: 30_000,
});

// ---- fan ----

export const fanGet = defineAction({
  name: "fan.get",
  title: "Fan status",
  description:
    "Fan speed as PWM (0-255 and %), RPM where the fan has a tachometer; on JetPack 4 whether the kernel drives it by temperature (temp_control); on JetPack 5+ whether nvfancontrol runs, the profile it runs and the profiles /etc/nvfancontrol.conf lists.",
  schemas: () => ({
    input: z.object({}),
    output: FanStatusSchema,
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 10_000,
});

export const fanSet = defineAction({
  name: "fan.set",
  title: "Set fan speed or profile",
  description:
    "Either sets the fan's PWM to a percentage (pwmPct), or chooses how the fan is driven (profile). On JetPack 5+ a profile is one of nvfancontrol's (quiet, cool, … as fan_get lists them): FAN_DEFAULT_PROFILE in /etc/nvfancontrol.conf is changed and nvfancontrol restarted with it. On JetPack 4, profile temp_control gives the fan back to the kernel's temperature control, which a PWM set turns off. While nvfancontrol runs it sets the speed again from its profile; a PWM set then carries a warning.",
  schemas: () => ({
    input: z
      .object({
        pwmPct: z.number().min(0).max(100).optional().describe("Fan speed, 0-100 %"),
        profile: FanProfileNameSchema.optional().describe("nvfancontrol profile (JetPack 5+), or temp_control on JetPack 4"),
      })
      .refine((input) => (input.pwmPct === undefined) !== (input.profile === undefined), { message: "give either pwmPct or profile, not both" }),
    output: FanStatusSchema.extend({ warning: z.string().optional() }),
  }),
  hints: SETTING,
  defaultTimeoutMs: 30_000,
});

// ---- GPIO ----

export const gpioList = defineAction({
  name: "gpio.list",
  title: "List header GPIOs",
  description:
    "The 40-pin header's GPIO pins on this board (developer-kit carriers of AGX Thor, AGX Orin, Orin NX/Nano, Xavier NX and Nano): signal name, GPIO controller and line, direction and who holds the line. Power, ground, I2C and UART pins are listed apart.",
  schemas: () => ({
    input: z.object({}),
    output: z.object({
      header: z.string(),
      lines: z.array(GpioLineSchema),
      otherPins: z.array(z.object({ pin: z.number().int(), role: z.string() })),
    }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 15_000,
});

export const gpioRead = defineAction({
  name: "gpio.read",
  title: "Read a GPIO pin",
  description:
    "Reads a header pin's level with gpioget. gpioget takes the line as an input, so a pin that was being driven as an output stops being driven.",
  schemas: () => ({
    input: z.object({ pin: headerPin }),
    output: GpioValueSchema,
  }),
  hints: { readOnly: false, destructive: false, idempotent: true },
  defaultTimeoutMs: 15_000,
});

export const gpioWrite = defineAction({
  name: "gpio.write",
  title: "Write a GPIO pin",
  description:
    "Drives a header pin high (1) or low (0) with gpioset. Power, ground, I2C and UART pins, and lines held by a driver or another process, are refused.",
  schemas: () => ({
    input: z.object({ pin: headerPin, value: z.union([z.literal(0), z.literal(1)]).describe("1 = high, 0 = low") }),
    output: GpioValueSchema,
  }),
  hints: SETTING,
  defaultTimeoutMs: 15_000,
});

// ---- telemetry ----

export const telemetryNow = defineAction({
  name: "telemetry.now",
  title: "Telemetry now",
  description:
    "One telemetry sample taken now from sysfs and /proc (tegrastats where those are unreadable): CPU load and clocks, GPU load and clock, memory, temperatures, power rails, fan, disk. Fields the board does not report are absent.",
  schemas: () => ({
    input: z.object({}),
    output: TimedSampleSchema,
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 15_000,
});

export const hardwareActions = [
  hardwareInfo,
  hardwareTemperatures,
  powerModes,
  powerGet,
  powerSet,
  powerReboot,
  powerShutdown,
  clocksStatus,
  clocksLock,
  clocksRestore,
  fanGet,
  fanSet,
  gpioList,
  gpioRead,
  gpioWrite,
  telemetryNow,
] as const;
