import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rebootSimulatedJetson, refreshSimulatedJetson, setLoad, type SimulatedJetson } from "./create.js";
import { readSim, readSimNumber, runProgram, tegrastatsLines, tempJetson } from "./testing.js";

type Sim = SimulatedJetson & { remove(): Promise<void> };

describe("simulated load, refresh and reboot", () => {
  let sim: Sim;
  beforeEach(async () => {
    sim = await tempJetson("agx-orin-jp6");
  });
  afterEach(() => sim.remove());

  const cpuTemp = () => readSimNumber(sim, "/sys/devices/virtual/thermal/thermal_zone0/temp");
  const gpuRailMw = async () => {
    const dir = "/sys/bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon1";
    return ((await readSimNumber(sim, `${dir}/in1_input`)) * (await readSimNumber(sim, `${dir}/curr1_input`))) / 1000;
  };

  it("raises clocks, temperatures, rail power and memory with the load", async () => {
    const idle = {
      temp: await cpuTemp(),
      power: await gpuRailMw(),
      cpuKHz: await readSimNumber(sim, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq"),
      gpuLoad: await readSimNumber(sim, "/sys/class/devfreq/17000000.gpu/device/load"),
      memFree: Number(/^MemFree: +(\d+)/m.exec(await readSim(sim, "/proc/meminfo"))?.[1]),
    };
    setLoad(sim.root, 90);
    expect(await cpuTemp()).toBeGreaterThan(idle.temp + 10000);
    expect(await gpuRailMw()).toBeGreaterThan(idle.power * 2);
    expect(await readSimNumber(sim, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq")).toBeGreaterThan(idle.cpuKHz);
    expect(await readSimNumber(sim, "/sys/class/devfreq/17000000.gpu/device/load")).toBe(900);
    expect(Number(/^MemFree: +(\d+)/m.exec(await readSim(sim, "/proc/meminfo"))?.[1])).toBeLessThan(idle.memFree);
    const [line = ""] = await tegrastatsLines(sim, 1);
    expect(line).toMatch(/GR3D_FREQ 90%@/);
    expect(() => setLoad(sim.root, 150)).toThrow(RangeError);
  });

  it("advances /proc/stat and /proc/uptime on refresh, busy time following the load", async () => {
    const times = async () => {
      const fields = /^cpu0 (\d+) \d+ (\d+) (\d+)/m.exec(await readSim(sim, "/proc/stat"));
      return { busy: Number(fields?.[1]) + Number(fields?.[2]), idle: Number(fields?.[3]) };
    };
    setLoad(sim.root, 100);
    const before = await times();
    const uptime = Number.parseFloat(await readSim(sim, "/proc/uptime"));
    expect(uptime).toBeGreaterThan(3000); // a new board has been up for a while
    await new Promise((resolve) => setTimeout(resolve, 300));
    refreshSimulatedJetson(sim.root);
    const after = await times();
    expect(after.busy - before.busy).toBeGreaterThanOrEqual(25); // 100 jiffies a second
    expect(after.idle).toBe(before.idle);
    expect(Number.parseFloat(await readSim(sim, "/proc/uptime"))).toBeGreaterThan(uptime);
  });

  it("loses the clock lock on a power mode change and on reboot", async () => {
    // From MAXN, MODE_50W (the same TPC_PG_MASK) applies without a reboot.
    await runProgram(sim, "nvpmodel", ["-m", "0"], "YES\n");
    await runProgram(sim, "jetson_clocks", []);
    await runProgram(sim, "nvpmodel", ["-m", "3"]);
    const state = async () => JSON.parse(await readSim(sim, "/var/lib/jetson-sim/state.json")) as Record<string, unknown>;
    expect(await state()).toMatchObject({ clocksLocked: false });
    expect(await readSimNumber(sim, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_min_freq")).toBe(729600);
    await runProgram(sim, "jetson_clocks", []);
    rebootSimulatedJetson(sim.root);
    expect(await state()).toMatchObject({ clocksLocked: false, pendingMode: null });
    expect(await readSim(sim, "/var/lib/nvpmodel/status")).toBe("pmode:0003\n");
    expect(Number.parseFloat(await readSim(sim, "/proc/uptime"))).toBeLessThan(60);
  });

  it("logs every stand-in invocation, and nothing else", async () => {
    expect(await readSim(sim, "/var/log/sim-calls.log")).toBe("");
    setLoad(sim.root, 20);
    await runProgram(sim, "nvpmodel", ["-q"]);
    await runProgram(sim, "nvpmodel", ["-m", "0"], "no\n");
    await tegrastatsLines(sim, 1);
    const calls = (await readSim(sim, "/var/log/sim-calls.log"))
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { program: string; argv: string[]; at: string });
    expect(calls.map(({ program, argv }) => ({ program, argv }))).toEqual([
      { program: "nvpmodel", argv: ["-q"] },
      { program: "nvpmodel", argv: ["-m", "0"] },
      { program: "tegrastats", argv: ["--interval", "100"] },
    ]);
    for (const call of calls) expect(Number.isNaN(Date.parse(call.at))).toBe(false);
  });
});
