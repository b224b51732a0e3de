import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { refreshSimulatedJetson } from "../../sim/index.js";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";

let board: SimulatedBoard;
afterEach(() => board.remove());

describe("the fan", () => {
  it("on the AGX Orin: hwmon pwm1 with a tachometer, nvfancontrol configured but not running", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    expect(await board.run("fan.get", {})).toEqual({
      pwm: 55,
      pwmPct: 22,
      rpm: 647,
      nvfancontrol: { running: false, profile: "quiet", profiles: ["quiet", "cool"], control: "close_loop" },
    });
    const set = await board.run("fan.set", { pwmPct: 100 });
    expect(set).toMatchObject({ pwm: 255, pwmPct: 100 });
    expect(set.warning).toBeUndefined();
    refreshSimulatedJetson(board.sim.root);
    expect(await board.run("fan.get", {})).toMatchObject({ pwm: 255, pwmPct: 100, rpm: 3000 });
    expect((await board.run("fan.set", { pwmPct: 40 })).pwm).toBe(102);
  });

  it("on the Nano (JetPack 4): target_pwm ramps, no tachometer, no nvfancontrol", async () => {
    board = await simulatedBoard("nano-jp46");
    expect(await board.run("fan.get", {})).toEqual({ pwm: 0, pwmPct: 0, targetPwm: 0 });
    expect(await board.run("fan.set", { pwmPct: 60 })).toEqual({ pwm: 0, pwmPct: 0, targetPwm: 153 });
    refreshSimulatedJetson(board.sim.root);
    expect(await board.run("fan.get", {})).toEqual({ pwm: 153, pwmPct: 60, targetPwm: 153 });
  });

  it("warns that a running nvfancontrol will set the speed again", async () => {
    board = await simulatedBoard("xavier-nx-jp51");
    // A process named nvfancontrol, as /proc shows it.
    await mkdir(path.join(board.sim.root, "proc/812"), { recursive: true });
    await writeFile(path.join(board.sim.root, "proc/812/comm"), "nvfancontrol\n");
    const set = await board.run("fan.set", { pwmPct: 80 });
    expect(set).toMatchObject({ pwm: 204, nvfancontrol: { running: true, profile: "quiet" } });
    expect(set.warning).toMatch(/nvfancontrol is running/);
  });

  it("refuses a speed outside 0-100 % in the catalogue's schema", async () => {
    board = await simulatedBoard("xavier-nx-jp51");
    await expect(board.run("fan.set", { pwmPct: 101 })).rejects.toThrow(/100/);
  });
});
