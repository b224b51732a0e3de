import { describe, expect, it } from "vitest";
import { readSim, readSimNumber, runProgram, tempJetson } from "../testing.js";
import type { SimBoardFile } from "../types.js";
import { THROTTLING, throttling } from "./throttling.js";

const CPU0 = "/sys/devices/system/cpu/cpu0/cpufreq";

describe("the throttling scenario", () => {
  it("runs busy and cool at the mode's clocks, then holds the hot zones at their trip point with CPU and GPU clocks below the mode's maximum and the fan up", async () => {
    const sim = await tempJetson("orin-nano-super-jp6");
    try {
      const { layout } = JSON.parse(await readSim(sim, "/var/lib/jetson-sim/board.json")) as SimBoardFile;
      const read = (file: string) => readSimNumber(sim, file);
      const loaded = layout.thermalZones.filter((zone) => zone.perLoadMC > 0);
      const hottest = async () => Math.max(...(await Promise.all(loaded.map((zone) => read(`${zone.dir}/temp`)))));
      const gpu = layout.gpu.devfreqDir;
      const { pwmFile, rpmFile = "" } = layout.fan;

      throttling.step(sim.root, 0);
      const cpuMax = await read(`${CPU0}/scaling_max_freq`);
      const gpuMax = await read(`${gpu}/max_freq`);
      const coolFan = await read(pwmFile);
      expect(await hottest()).toBeLessThan(80_000);
      expect(await read(`${CPU0}/scaling_cur_freq`)).toBeGreaterThan(cpuMax * 0.9);

      throttling.step(sim.root, THROTTLING.coolS + THROTTLING.rampS);
      expect(await read(`${loaded[0]?.dir}/trip_point_0_temp`)).toBe(99_000);
      expect(await hottest()).toBe(99_000);
      expect(await read(`${CPU0}/scaling_max_freq`)).toBe(cpuMax);
      expect(await read(`${CPU0}/scaling_cur_freq`)).toBeLessThan(cpuMax * 0.7);
      expect(await read(`${gpu}/cur_freq`)).toBeLessThan(gpuMax * 0.7);
      expect(coolFan).toBeLessThan(255);
      expect(await read(pwmFile)).toBe(255);
      expect(await read(rpmFile)).toBeGreaterThan(0);
    } finally {
      await sim.remove();
    }
  });

  it("throttles a board whose clocks jetson_clocks locked at the maximum: the hardware's cap wins over the lock", async () => {
    const sim = await tempJetson("agx-orin-jp6");
    try {
      expect((await runProgram(sim, "jetson_clocks", [])).code).toBe(0);
      const cpuMax = await readSimNumber(sim, `${CPU0}/scaling_max_freq`);
      expect(await readSimNumber(sim, `${CPU0}/scaling_min_freq`)).toBe(cpuMax);
      throttling.step(sim.root, THROTTLING.coolS + THROTTLING.rampS);
      expect(await readSimNumber(sim, `${CPU0}/scaling_cur_freq`)).toBeLessThan(cpuMax * 0.7);
    } finally {
      await sim.remove();
    }
  });
});
