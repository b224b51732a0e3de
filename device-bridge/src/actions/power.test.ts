import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runProgram } from "../../sim/testing.js";
import { SAVED_CLOCKS_DIR } from "../machine/jetson-clocks-commands.js";
import { ActionError } from "../action-error.js";
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

  it("keeps each mode's TPC_PG_MASK, EMC, DLA and PVA caps from the board's nvpmodel.conf", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    const { modes } = await board.run("power.modes", {});
    expect(modes.map((m) => [m.name, m.params.tpcPgMask, m.params.emcMaxHz])).toEqual([
      ["MAXN", 0, "max"],
      ["MODE_15W", 248, 2133000000],
      ["MODE_30W", 240, "max"],
      ["MODE_50W", 0, "max"],
    ]);
    // nvpmodel-p-verbose/agx-orin-1.txt
    expect(modes[0]?.params.engineMaxHz).toEqual({
      DLA0_CORE: "max",
      DLA0_FALCON: "max",
      DLA1_CORE: "max",
      DLA1_FALCON: "max",
      PVA0_VPS: "max",
      PVA0_AXI: "max",
    });
    expect(modes[1]?.params.engineMaxHz).toEqual({
      DLA0_CORE: 614400000,
      DLA0_FALCON: 294400000,
      DLA1_CORE: 614400000,
      DLA1_FALCON: 294400000,
      PVA0_VPS: 307200000,
      PVA0_AXI: 217600000,
    });
    expect(modes[3]?.params.engineMaxHz).toMatchObject({ DLA0_CORE: 1369600000, PVA0_VPS: 704000000, PVA0_AXI: 486400000 });
  });

  it("switches from MAXN to MODE_50W at once (the same TPC_PG_MASK): all twelve cores, lower caps, in the next sample", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    await board.run("power.reboot", { powerModeId: 0 });
    const result = await board.run("power.set", { id: 3 });
    expect(result).toMatchObject({
      changed: true,
      rebootRequired: false,
      clocksRelocked: false,
      previous: { id: 0, name: "MAXN" },
      current: { id: 3, name: "MODE_50W" },
    });
    expect(await onlineCpus()).toBe("0-11");
    const sample = await board.run("telemetry.now", {});
    expect(sample.cpus?.filter((c) => c.online !== false)).toHaveLength(12);
    expect(sample.cpus?.every((c) => (c.freqMHz ?? Infinity) <= 1497)).toBe(true);
    expect(sample.gpu?.freqMHz).toBeLessThanOrEqual(828);
    expect(await modeSwitches()).toEqual([
      { program: "nvpmodel", argv: ["-m", "0"] },
      { program: "nvpmodel", argv: ["-m", "3"] },
    ]);
    // Sent before the result: the state already names the new mode.
    expect(board.reportedStates.map((state) => state.powerMode)).toEqual([{ id: 3, name: "MODE_50W" }]);
  });

  it("keeps locked clocks locked through a switch, at the new mode's maximum, and restores that mode's own limits", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    await board.run("power.reboot", { powerModeId: 0 });
    const maxn = await board.run("clocks.lock", {});
    expect(maxn.status.lockedAtMax).toBe(true);
    const result = await board.run("power.set", { id: 3 });
    expect(result).toMatchObject({ changed: true, clocksRelocked: true, current: { id: 3, name: "MODE_50W" } });
    const status = await board.run("clocks.status", {});
    expect(status.lockedAtMax).toBe(true);
    for (const cpu of status.cpus) expect([cpu.minKHz, cpu.maxKHz]).toEqual([1497600, 1497600]);
    expect(status.gpu?.minHz).toBe(828750000);
    // What clocks.restore brings back is MODE_50W's own setting, not MAXN's.
    const restored = await board.run("clocks.restore", {});
    expect(restored.status.lockedAtMax).toBe(false);
    for (const cpu of restored.status.cpus) expect(cpu.maxKHz).toBe(1497600);
    expect(restored.status.cpus.some((c) => c.minKHz !== c.maxKHz)).toBe(true);
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

  it("keeps a lock taken by hand, with no saved settings, and saves none", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    await board.run("power.reboot", { powerModeId: 0 });
    await rm(path.join(board.sim.root, SAVED_CLOCKS_DIR), { recursive: true });
    expect((await runProgram(board.sim, "jetson_clocks", [])).code).toBe(0);
    expect(await board.run("power.set", { id: 3 })).toMatchObject({ changed: true, clocksRelocked: true });
    const status = await board.run("clocks.status", {});
    expect(status.lockedAtMax).toBe(true);
    for (const cpu of status.cpus) expect([cpu.minKHz, cpu.maxKHz]).toEqual([1497600, 1497600]);
    await expect(board.run("clocks.restore", {})).rejects.toMatchObject({ code: "unavailable" });
  });

  it.each([
    [0, "MAXN"],
    [1, "MODE_15W"],
  ])("refuses mode %i (%s), whose TPC_PG_MASK differs from MODE_30W's, as a failure: changes nothing and says how to get there", async (id, name) => {
    board = await simulatedBoard("agx-orin-jp6");
    const locked = await board.run("clocks.lock", {});
    const error = await board.run("power.set", { id }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionError);
    expect(error).toMatchObject({ code: "unavailable" });
    expect((error as Error).message).toBe(
      `${name} (${id}) needs a reboot on this board (its GPU TPC power gating differs from that of MODE_30W (2)), so nothing was changed. ` +
        `To switch, call power.reboot with powerModeId ${id} (or powerModeName ${name}): the board records the mode and reboots into it.`,
    );
    expect(await board.run("power.get", {})).toEqual({ id: 2, name: "MODE_30W" });
    expect(await onlineCpus()).toBe("0-7");
    expect(await board.run("clocks.status", {})).toEqual(locked.status);
    expect(board.reportedStates).toEqual([]);
  });

  it("refuses by name a mode that needs a reboot, as it does by id", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    await expect(board.run("power.set", { name: "MODE_15W" })).rejects.toMatchObject({ code: "unavailable", message: expect.stringMatching(/^MODE_15W \(1\) needs a reboot/) });
    expect(await modeSwitches()).toEqual([]);
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

  it("reboots into a mode given by its name, case aside", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    expect(await board.run("power.reboot", { powerModeName: "mode_15w" })).toMatchObject({ rebooting: true, powerMode: { id: 1, name: "MODE_15W" } });
    expect(await board.run("power.get", {})).toEqual({ id: 1, name: "MODE_15W" });
    expect(await modeSwitches()).toEqual([{ program: "nvpmodel", argv: ["-m", "1"] }]);
  });

  it("refuses a reboot into a mode name the board does not have, without rebooting", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    await expect(board.run("power.reboot", { powerModeName: "MAXN_SUPER" })).rejects.toMatchObject({
      code: "invalid_input",
      message: "Power mode MAXN_SUPER does not exist on this board. Valid modes: 0 (MAXN), 1 (MODE_15W), 2 (MODE_30W), 3 (MODE_50W).",
    });
    expect((await board.calls()).map((c) => c.program)).toEqual([]);
  });
});

describe("power modes by name, the same across boards whose ids differ", () => {
  it.each([
    ["orin-nano-super-jp6", 2],
    ["orin-nx-16gb-super-jp62", 0],
  ] as const)("switches %s to MAXN_SUPER (its mode %i), named in any case", async (id, modeId) => {
    board = await simulatedBoard(id);
    expect(await board.run("power.set", { name: "maxn_super" })).toMatchObject({
      changed: true,
      requested: { id: modeId, name: "MAXN_SUPER" },
      current: { id: modeId, name: "MAXN_SUPER" },
    });
    expect(await modeSwitches()).toEqual([{ program: "nvpmodel", argv: ["-m", String(modeId)] }]);
  });

  it("refuses a name the board does not have, naming its valid modes and changing nothing", async () => {
    board = await simulatedBoard("agx-xavier-jp51");
    await expect(board.run("power.set", { name: "MAXN_SUPER" })).rejects.toMatchObject({
      code: "invalid_input",
      message:
        "Power mode MAXN_SUPER does not exist on this board. Valid modes: 0 (MAXN), 1 (MODE_10W), 2 (MODE_15W), 3 (MODE_30W_ALL), 4 (MODE_30W_6CORE), 5 (MODE_30W_4CORE), 6 (MODE_30W_2CORE).",
    });
    expect(await board.calls()).toEqual([]);
    expect(await board.run("power.get", {})).toEqual({ id: 2, name: "MODE_15W" });
  });

  it("takes either an id or a name, not both", async () => {
    board = await simulatedBoard("agx-xavier-jp51");
    await expect(board.run("power.set", { id: 0, name: "MAXN" })).rejects.toThrow(/either id or name/);
    await expect(board.run("power.set", {})).rejects.toThrow(/either id or name/);
    expect(await board.calls()).toEqual([]);
  });
});

// Whether reaching each mode from the default one needs a reboot: a TPC_PG_MASK other than the default mode's.
const REBOOT_FROM_DEFAULT = {
  // MAXN and MODE_50W gate no TPC (0), MODE_15W 248, MODE_30W 240.
  "agx-orin-jp6": { 0: true, 1: true, 2: false, 3: true },
  // MODE_15W_* and MODE_10W_* gate one TPC (1), MODE_20W_* none; the default is MODE_15W_6CORE.
  "xavier-nx-jp51": { 0: false, 1: false, 2: false, 3: false, 4: false, 5: false, 6: true, 7: true, 8: true },
  "orin-nano-super-jp6": { 0: false, 1: false, 2: false, 3: false },
  // nvpmodel-p-verbose/agx-xavier-1.txt: only MODE_10W gates TPCs (5); the default is MODE_15W.
  "agx-xavier-jp51": { 0: false, 1: true, 2: false, 3: false, 4: false, 5: false, 6: false },
  // The Super table: 10W and 15W gate 252, MAXN_SUPER, 25W and 40W 240; the default is 40W.
  "orin-nx-16gb-super-jp62": { 0: false, 1: true, 2: true, 3: false, 4: false },
  // Thor's nvpmodel.conf sets no TPC_PG_MASK here.
  "agx-thor-jp7": { 0: false, 1: false, 2: false, 3: false },
  // JetPack 4's Nano has no TPC power gating.
  "nano-jp46": { 0: false, 1: false },
} as const;

describe.each(Object.entries(REBOOT_FROM_DEFAULT))("power.modes on %s", (id, expected) => {
  it("says per mode whether switching to it needs a reboot, and nvpmodel agrees", async () => {
    board = await simulatedBoard(id as keyof typeof REBOOT_FROM_DEFAULT);
    const { modes, current } = await board.run("power.modes", {});
    expect(Object.fromEntries(modes.map((m) => [m.id, m.rebootRequired]))).toEqual(expected);
    // The simulated nvpmodel decides from its own nvpmodel.conf: it asks for a reboot exactly where power.modes says so.
    for (const mode of modes.filter((m) => m.id !== current.id)) {
      const { stdout } = await runProgram(board.sim, "nvpmodel", ["-m", String(mode.id)], "no\n");
      expect(stdout.includes("Reboot required"), mode.name).toBe(mode.rebootRequired);
      if (!mode.rebootRequired) await runProgram(board.sim, "nvpmodel", ["-m", String(current.id)]);
    }
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
