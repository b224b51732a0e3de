import { describe, expect, it } from "vitest";
import { startSimulationClock } from "./clock.js";
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
