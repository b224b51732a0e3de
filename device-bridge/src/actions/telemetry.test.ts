import { afterEach, describe, expect, it } from "vitest";
import { setLoad, startSimulationClock } from "../../sim/index.js";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";

let board: SimulatedBoard;
let stopClock: () => void = () => undefined;
afterEach(async () => {
  stopClock();
  await board.remove();
});

describe("telemetry.now", () => {
  it("takes one sample of a busy Orin Nano Super, CPU loads included", async () => {
    board = await simulatedBoard("orin-nano-super-jp6");
    setLoad(board.sim.root, 80);
    stopClock = startSimulationClock(board.sim.root, 50);
    const before = Date.now();
    const sample = await board.run("telemetry.now", {});
    expect(sample.t).toBeGreaterThanOrEqual(before);
    expect(sample.cpus).toHaveLength(6);
    for (const cpu of sample.cpus ?? []) expect(cpu.loadPct).toBeGreaterThanOrEqual(70);
    expect(sample.gpu?.loadPct).toBe(80);
    expect(Object.keys(sample.powerMW ?? {})).toEqual(["VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"]);
    expect(sample.totalPowerMW).toBe(sample.powerMW?.VDD_IN?.now);
    expect(sample.emc).toBeUndefined();
  });
});
