import { describe, expect, it } from "vitest";
import { startSimulationClock } from "./clock.js";
import { SCENARIOS } from "./scenarios/index.js";
import { NodeHost } from "../src/host/node-host.js";
import { sampleOnce } from "../src/telemetry/sampler.js";
import { readSim, tempJetson } from "./testing.js";

describe("the simulation clock", () => {
  it("keeps /proc and sysfs moving until stopped", async () => {
    const sim = await tempJetson("xavier-nx-jp51");
    const uptime = async () => Number.parseFloat(await readSim(sim, "/proc/uptime"));
    try {
      const start = await uptime();
      const stop = startSimulationClock(sim.root, 50);
      await new Promise((resolve) => setTimeout(resolve, 400));
      stop();
      const stopped = await uptime();
      expect(stopped).toBeGreaterThan(start + 0.2);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await uptime()).toBe(stopped);
    } finally {
      await sim.remove();
    }
  });
});

describe("the simulation clock at the pace the local stack runs it", () => {
  it("moves /proc/stat between two reads closer together than its refresh, so a sample always has CPU loads", async () => {
    const sim = await tempJetson("xavier-nx-jp51");
    const host = new NodeHost({ root: sim.root, programDirs: [sim.binDir], defaultTimeoutMs: 5_000, defaultMaxOutputBytes: 1 << 20 });
    // Sampled at once, both reads fall before the first full refresh (1 s): only /proc's own pace moves the counters.
    const stop = startSimulationClock(sim.root, 1_000);
    try {
      const sample = await sampleOnce(host, 500);
      expect(sample.cpus?.length).toBeGreaterThan(0);
      expect(sample.cpus?.every((cpu) => cpu.loadPct !== undefined)).toBe(true);
    } finally {
      stop();
      await sim.remove();
    }
  });
});

describe("the simulation clock with a scenario", () => {
  it("steps the scenario at its speed until the board reaches the event", async () => {
    const sim = await tempJetson("agx-orin-jp6");
    const cpuThermal = "/sys/class/thermal/thermal_zone0/temp";
    const stop = startSimulationClock(sim.root, 50, { scenario: SCENARIOS.throttling, speed: 200 });
    try {
      await expect.poll(async () => Number.parseInt(await readSim(sim, cpuThermal), 10), { timeout: 10_000, interval: 50 }).toBe(99_000);
    } finally {
      stop();
      await sim.remove();
    }
  });

  it("keeps /proc and sysfs moving under a scenario that changes only the board's files (the crash loop, the filling disk)", async () => {
    const sim = await tempJetson("orin-nano-super-jp6");
    const uptime = async () => Number.parseFloat(await readSim(sim, "/proc/uptime"));
    const start = await uptime();
    const stop = startSimulationClock(sim.root, 50, { scenario: SCENARIOS["crash-loop"], speed: 1 });
    try {
      await expect.poll(uptime, { timeout: 5_000, interval: 50 }).toBeGreaterThan(start + 0.2);
    } finally {
      stop();
      await sim.remove();
    }
  });
});
