import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ActionError } from "./types.js";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";

let board: SimulatedBoard;
afterEach(() => board.remove());

const onlineCpus = async () => (await readFile(path.join(board.sim.root, "sys/devices/system/cpu/online"), "utf8")).trim();
const uptime = async () => Number.parseFloat(await readFile(path.join(board.sim.root, "proc/uptime"), "utf8"));
const modeSwitches = async () => (await board.calls()).filter((c) => c.program === "nvpmodel" && c.argv[0] === "-m");

describe("power modes on the AGX Orin (JetPack 6)", () => {
  it("lists the board's own modes and the current one", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    const modes = await board.run("power.modes", {});
    expect(modes.modes.map((m) => `${m.id} ${m.name}`)).toEqual(["0 MAXN", "1 MODE_15W", "2 MODE_30W", "3 MODE_50W"]);
    expect(modes.defaultId).toBe(2);
    expect(modes.current).toEqual({ id: 2, name: "MODE_30W" });
    expect(modes.modes[1]?.params.cpuOnline).toMatchObject({ "3": true, "4": false });
    expect(await board.run("power.get", {})).toEqual({ id: 2, name: "MODE_30W" });
  });

  it("switches to MODE_15W: four cores online in sysfs and in the next sample", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    const result = await board.run("power.set", { id: 1 });
    expect(result).toMatchObject({
      changed: true,
      rebootRequired: false,
      previous: { id: 2, name: "MODE_30W" },
      current: { id: 1, name: "MODE_15W" },
    });
    expect(await onlineCpus()).toBe("0-3");
    const sample = await board.run("telemetry.now", {});
    expect(sample.cpus).toHaveLength(12);
    expect(sample.cpus?.filter((c) => c.online !== false)).toHaveLength(4);
    expect(sample.cpus?.every((c) => c.online === false || (c.freqMHz ?? Infinity) <= 1113)).toBe(true);
    expect(sample.gpu?.freqMHz).toBeLessThanOrEqual(420);
    expect(await modeSwitches()).toEqual([{ program: "nvpmodel", argv: ["-m", "1"] }]);
    // Sent before the result: the state already names the new mode.
    expect(board.reportedStates.map((state) => state.powerMode)).toEqual([{ id: 1, name: "MODE_15W" }]);
  });

  it("refuses a mode the board does not have, with the valid ones, before running nvpmodel -m", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    const error = await board.run("power.set", { id: 7 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionError);
    expect(error).toMatchObject({ code: "invalid_input" });
    expect((error as Error).message).toBe(
      "Power mode 7 does not exist on this board. Valid modes: 0 (MAXN), 1 (MODE_15W), 2 (MODE_30W), 3 (MODE_50W).",
    );
    expect(await board.calls()).toEqual([]);
    expect(await onlineCpus()).toBe("0-7");
  });

  it("declines a mode that needs a reboot, changes nothing and says how to get there", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    const result = await board.run("power.set", { id: 0 });
    expect(result).toMatchObject({
      changed: false,
      rebootRequired: true,
      requested: { id: 0, name: "MAXN" },
      current: { id: 2, name: "MODE_30W" },
    });
    expect(result.message).toMatch(/power\.reboot with powerModeId 0/);
    expect(await board.run("power.get", {})).toEqual({ id: 2, name: "MODE_30W" });
    expect(await onlineCpus()).toBe("0-7");
    expect(board.reportedStates).toEqual([]);
  });

  it("answers an unchanged mode without running nvpmodel -m", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    expect(await board.run("power.set", { id: 2 })).toMatchObject({ changed: false, rebootRequired: false, message: "Already in MODE_30W (2)." });
    expect(await modeSwitches()).toEqual([]);
    expect(board.reportedStates).toEqual([]);
  });

  it("reboots into a reboot-bound mode with power.reboot", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    expect(await uptime()).toBeGreaterThan(3000);
    const result = await board.run("power.reboot", { powerModeId: 0 });
    expect(result).toMatchObject({ rebooting: true, powerMode: { id: 0, name: "MAXN" } });
    // The simulated board reboots at once: all twelve cores, uptime from zero.
    expect(await uptime()).toBeLessThan(60);
    expect(await board.run("power.get", {})).toEqual({ id: 0, name: "MAXN" });
    expect(await onlineCpus()).toBe("0-11");
    expect(await modeSwitches()).toEqual([{ program: "nvpmodel", argv: ["-m", "0"] }]);
  });

  it("refuses a reboot into a mode the board does not have, without rebooting", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    await expect(board.run("power.reboot", { powerModeId: 9 })).rejects.toMatchObject({ code: "invalid_input" });
    expect((await board.calls()).map((c) => c.program)).toEqual([]);
  });
});

describe("power modes on the Nano (JetPack 4.6)", () => {
  it("switches to 5W: two cores, lower clock caps", async () => {
    board = await simulatedBoard("nano-jp46");
    expect((await board.run("power.modes", {})).modes.map((m) => m.name)).toEqual(["MAXN", "5W"]);
    expect(await board.run("power.set", { id: 1 })).toMatchObject({ changed: true, current: { id: 1, name: "5W" } });
    expect(await onlineCpus()).toBe("0-1");
    const sample = await board.run("telemetry.now", {});
    expect(sample.cpus?.map((c) => c.online !== false)).toEqual([true, true, false, false]);
    expect(sample.cpus?.every((c) => c.online === false || (c.freqMHz ?? Infinity) <= 918)).toBe(true);
    expect(sample.gpu?.freqMHz).toBeLessThanOrEqual(640);
  });

  it("reboots with systemctl and comes back in the same mode", async () => {
    board = await simulatedBoard("nano-jp46");
    expect(await board.run("power.reboot", {})).toEqual({ rebooting: true, message: "The device is rebooting." });
    expect(await uptime()).toBeLessThan(60);
    expect((await board.calls()).map((c) => `${c.program} ${c.argv.join(" ")}`)).toEqual(["systemctl reboot"]);
    expect(await board.run("power.get", {})).toEqual({ id: 0, name: "MAXN" });
  });

  it("shuts down with systemctl poweroff and says when", async () => {
    board = await simulatedBoard("nano-jp46");
    const before = Date.now();
    const result = await board.run("power.shutdown", {});
    expect(result).toMatchObject({ poweringOff: true, message: expect.stringMatching(/powering off/) });
    expect(result.at).toBeGreaterThanOrEqual(before);
    expect((await board.calls()).map((c) => `${c.program} ${c.argv.join(" ")}`)).toEqual(["systemctl poweroff"]);
    expect(JSON.parse(await readFile(path.join(board.sim.root, "var/lib/jetson-sim/admin.json"), "utf8"))).toMatchObject({ poweredOffAt: expect.any(Number) });
  });

  it("switches and reboots when the mode needs no reboot of its own", async () => {
    board = await simulatedBoard("nano-jp46");
    expect(await board.run("power.reboot", { powerModeId: 1 })).toMatchObject({ rebooting: true, powerMode: { id: 1, name: "5W" } });
    expect((await board.calls()).map((c) => `${c.program} ${c.argv.join(" ")}`)).toEqual([
      "nvpmodel -q",
      "nvpmodel -m 1",
      "systemctl reboot",
    ]);
    expect(await onlineCpus()).toBe("0-1");
  });
});
