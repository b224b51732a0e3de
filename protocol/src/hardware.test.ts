import { describe, expect, it } from "vitest";
import {
  ClocksStatusSchema,
  ClockLimitSchema,
  FanStatusSchema,
  GpioValueSchema,
  L4tReleaseSchema,
  PowerModeSchema,
  TemperaturesSchema,
} from "./hardware.js";

describe("hardware schemas", () => {
  it("takes a clock limit as a frequency or the word max, nothing else", () => {
    expect(ClockLimitSchema.parse(918000)).toBe(918000);
    expect(ClockLimitSchema.parse("max")).toBe("max");
    expect(ClockLimitSchema.safeParse(-1).success).toBe(false);
    expect(ClockLimitSchema.safeParse("unlimited").success).toBe(false);
  });

  it("keys a mode's online map by core number", () => {
    const mode = { id: 1, name: "5W", params: { cpuOnline: { "0": true, "1": false } } };
    expect(PowerModeSchema.parse(mode)).toEqual(mode);
    expect(PowerModeSchema.safeParse({ ...mode, params: { cpuOnline: { CORE_0: true } } }).success).toBe(false);
  });

  it("wants a three-part L4T version", () => {
    expect(L4tReleaseSchema.safeParse({ l4t: "36.4.3", major: 36, revision: "4.3" }).success).toBe(true);
    expect(L4tReleaseSchema.safeParse({ l4t: "36.4", major: 36, revision: "4" }).success).toBe(false);
  });

  it("bounds the fan PWM to 0-255", () => {
    const status = { cpus: [], lockedAtMax: false, fan: { pwm: 256 } };
    expect(ClocksStatusSchema.safeParse(status).success).toBe(false);
  });

  it("takes a GPIO value on a header pin: pins 1-40, values 0 and 1", () => {
    const value = { pin: 7, value: 1, chip: "tegra234-gpio", device: "gpiochip0", line: 106 };
    expect(GpioValueSchema.parse(value)).toEqual(value);
    expect(GpioValueSchema.safeParse({ ...value, pin: 41 }).success).toBe(false);
    expect(GpioValueSchema.safeParse({ ...value, value: 2 }).success).toBe(false);
  });

  it("bounds a fan's PWM and percentage", () => {
    expect(FanStatusSchema.safeParse({ pwm: 255, pwmPct: 100 }).success).toBe(true);
    expect(FanStatusSchema.safeParse({ pwm: 255, pwmPct: 101 }).success).toBe(false);
    expect(FanStatusSchema.safeParse({ pwm: -1, pwmPct: 0 }).success).toBe(false);
  });

  it("says why a thermal zone has no reading", () => {
    expect(TemperaturesSchema.safeParse({ sensors: [], omitted: [{ name: "cv0-thermal", reason: "offline" }] }).success).toBe(true);
    expect(TemperaturesSchema.safeParse({ sensors: [], omitted: [{ name: "cv0-thermal", reason: "cold" }] }).success).toBe(false);
  });
});
