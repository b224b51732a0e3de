import { afterEach, describe, expect, it } from "vitest";
import { setLoad, startSimulationClock } from "../../sim/index.js";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";

let board: SimulatedBoard;
let stopClock: () => void = () => undefined;
afterEach(async () => {
  stopClock();
  await board.remove();
});

describe("telemetry.watch", () => {
  it("stopped by its signal after two samples of 200, throws rather than answer those two as the watch", async () => {
    // The command is stopped (a cancel, the bridge restarting) once tegrastats printed its second sample.
    board = await simulatedBoard("orin-nano-super-jp6", (host) => ({
      run: (program, args, options) => {
        let lines = 0;
        const onStdoutLine = (line: string, cut: boolean) => {
          options?.onStdoutLine?.(line, cut);
          if (++lines === 2) board.cancel();
        };
        return host.run(program, args, { ...options, onStdoutLine });
      },
      readFile: (p) => host.readFile(p),
      writeFile: (p, data) => host.writeFile(p, data),
      listDir: (p) => host.listDir(p),
      statFs: (p) => host.statFs(p),
      actingProcess: () => host.actingProcess(),
    }));
    await expect(board.run("telemetry.watch", { seconds: 20, intervalMs: 100 })).rejects.toThrow(/aborted/);
    expect(board.progress[1]).toEqual({ done: 2, total: 200, message: "sample 2 of 200" });
  });
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
