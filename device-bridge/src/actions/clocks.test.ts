import { access, mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ClocksStatus } from "@jetson/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { runProgram } from "../../sim/testing.js";
import { SAVED_CLOCKS_DIR, SAVED_CLOCKS_FILE } from "../machine/jetson-clocks-commands.js";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";

let board: SimulatedBoard;
afterEach(() => board.remove());

describe.each(["agx-orin-jp6", "nano-jp46", "agx-thor-jp7"] as const)("clocks on %s", (id) => {
  it("locks at maximum and restores the saved settings", async () => {
    board = await simulatedBoard(id);
    const before = await board.run("clocks.status", {});
    expect(before.lockedAtMax).toBe(false);
    const onlineBefore = before.cpus.filter((c) => c.online);
    expect(onlineBefore.some((c) => c.minKHz !== c.maxKHz)).toBe(true);

    const locked = await board.run("clocks.lock", {});
    expect(locked.saved).toBe(true);
    expect(locked.status.lockedAtMax).toBe(true);
    for (const cpu of locked.status.cpus.filter((c) => c.online)) expect(cpu.minKHz).toBe(cpu.maxKHz);
    expect(locked.status.gpu?.minHz).toBe(locked.status.gpu?.maxHz);
    // Saved where only root may write, never in the bridge's own state folder: root reads it back.
    await access(path.join(board.sim.root, SAVED_CLOCKS_FILE));

    // Locking again keeps the settings saved before the first lock.
    expect((await board.run("clocks.lock", {})).saved).toBe(false);

    const restored = await board.run("clocks.restore", {});
    expect(restored.status.lockedAtMax).toBe(false);
    expect(restored.status.cpus.map((c) => [c.cpu, c.minKHz, c.maxKHz])).toEqual(before.cpus.map((c) => [c.cpu, c.minKHz, c.maxKHz]));
    expect(restored.status.gpu?.minHz).toBe(before.gpu?.minHz);
    expect((await board.calls()).map((c) => `${c.program} ${c.argv.join(" ")}`.trim())).toEqual([
      "jetson_clocks --show",
      "jetson_clocks --show",
      `jetson_clocks --store ${SAVED_CLOCKS_FILE}`,
      // The power mode the saved settings belong to: recorded beside them, checked before they are restored.
      "nvpmodel -q",
      "jetson_clocks",
      "jetson_clocks --show",
      "jetson_clocks --show",
      "jetson_clocks",
      "jetson_clocks --show",
      "jetson_clocks --show",
      "nvpmodel -q",
      `jetson_clocks --restore ${SAVED_CLOCKS_FILE}`,
      "jetson_clocks --show",
    ]);
  });

  it("refuses to lock, changing nothing, where the root-only folder for the saved settings is missing", async () => {
    board = await simulatedBoard(id);
    await rm(path.join(board.sim.root, SAVED_CLOCKS_DIR), { recursive: true });
    await expect(board.run("clocks.lock", {})).rejects.toMatchObject({ code: "unavailable", message: expect.stringContaining(SAVED_CLOCKS_DIR) });
    expect((await board.calls()).map((c) => `${c.program} ${c.argv.join(" ")}`.trim())).toEqual(["jetson_clocks --show"]);
  });

  it("locks again after a restore, saving over the earlier settings (jetson_clocks asks before it overwrites)", async () => {
    board = await simulatedBoard(id);
    await board.run("clocks.lock", {});
    await board.run("clocks.restore", {});
    const again = await board.run("clocks.lock", {});
    expect(again).toMatchObject({ saved: true, status: { lockedAtMax: true } });
    expect((await board.run("clocks.restore", {})).status.lockedAtMax).toBe(false);
  });

  it("changes nothing when the clocks are no longer locked", async () => {
    board = await simulatedBoard(id);
    await board.run("clocks.lock", {});
    await board.run("clocks.restore", {});
    const restored = await board.run("clocks.status", {});
    expect(await board.run("clocks.restore", {})).toEqual({ status: restored });
    expect((await board.calls()).filter((c) => c.argv[0] === "--restore")).toHaveLength(1);
  });

  it("refuses to restore what was never saved", async () => {
    board = await simulatedBoard(id);
    await expect(board.run("clocks.restore", {})).rejects.toMatchObject({ code: "unavailable" });
    expect((await board.calls()).map((c) => c.program)).toEqual([]);
  });

  it("refuses to restore a lock taken by hand, which saved nothing", async () => {
    board = await simulatedBoard(id);
    expect((await runProgram(board.sim, "jetson_clocks", [])).code).toBe(0);
    await expect(board.run("clocks.restore", {})).rejects.toMatchObject({ code: "unavailable" });
    expect((await board.run("clocks.status", {})).lockedAtMax).toBe(true);
  });
});

describe("clocks.restore after the power mode changed (AGX Orin, JetPack 6)", () => {
  // MODE_15W caps the CPUs at 1113600 kHz and the GPU at 420750000 Hz; MODE_50W at 1497600 kHz and 828750000 Hz.
  const caps = (status: ClocksStatus) => [...new Set(status.cpus.filter((c) => c.online).map((c) => c.maxKHz)), status.gpu?.maxHz];

  it("keeps the new mode's limits after a reboot ended a lock taken in MAXN", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    await board.run("power.reboot", { powerModeId: 0 });
    await board.run("clocks.lock", {});
    await board.run("power.reboot", { powerModeId: 1 });
    const before = await board.run("clocks.status", {});
    expect(caps(before)).toEqual([1113600, 420750000]);
    expect((await board.run("clocks.restore", {})).status).toEqual(before);
    expect(await board.run("power.get", {})).toEqual({ id: 1, name: "MODE_15W" });
  });

  it("refuses MAXN's saved settings under a lock taken by hand after a reboot into MODE_15W", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    await board.run("power.reboot", { powerModeId: 0 });
    await board.run("clocks.lock", {});
    await board.run("power.reboot", { powerModeId: 1 });
    // A boot-time lock, as a service running jetson_clocks takes it.
    expect((await runProgram(board.sim, "jetson_clocks", [])).code).toBe(0);
    const locked = await board.run("clocks.status", {});
    await expect(board.run("clocks.restore", {})).rejects.toMatchObject({
      code: "unavailable",
      message: expect.stringMatching(/another power mode.*power\.reboot/),
    });
    expect(await board.run("clocks.status", {})).toEqual(locked);
    expect(caps(locked)).toEqual([1113600, 420750000]);
    expect(await board.run("power.get", {})).toEqual({ id: 1, name: "MODE_15W" });
  });

  it("refuses settings saved before a reboot into the same mode, told apart by the boot id", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    const bootId = async (id: string) => {
      await mkdir(path.join(board.sim.root, "proc/sys/kernel/random"), { recursive: true });
      await writeFile(path.join(board.sim.root, "proc/sys/kernel/random/boot_id"), `${id}\n`);
    };
    await bootId("6f1c2a0e-0000-4000-8000-000000000001");
    const before = await board.run("clocks.status", {});
    await board.run("clocks.lock", {});
    expect((await board.run("clocks.restore", {})).status).toEqual(before);
    await board.run("clocks.lock", {});
    await board.run("power.reboot", { powerModeId: 2 });
    await bootId("6f1c2a0e-0000-4000-8000-000000000002");
    expect((await runProgram(board.sim, "jetson_clocks", [])).code).toBe(0);
    await expect(board.run("clocks.restore", {})).rejects.toMatchObject({ code: "unavailable" });
    expect((await board.run("clocks.status", {})).lockedAtMax).toBe(true);
  });

  it("keeps the new mode's limits after a switch that followed a restore", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    await board.run("power.reboot", { powerModeId: 0 });
    await board.run("clocks.lock", {});
    await board.run("clocks.restore", {});
    await board.run("power.set", { id: 3 });
    const before = await board.run("clocks.status", {});
    expect(caps(before)).toEqual([1497600, 828750000]);
    expect(caps((await board.run("clocks.restore", {})).status)).toEqual([1497600, 828750000]);
  });
});

describe("clocks on the AGX Thor (JetPack 7)", () => {
  it("takes which cores are online from the Online CPUs line, its cpu lines having no Online=", async () => {
    board = await simulatedBoard("agx-thor-jp7");
    await board.run("power.set", { id: 2 });
    const status = await board.run("clocks.status", {});
    expect(status.cpus).toHaveLength(14);
    expect(status.cpus.filter((c) => c.online).map((c) => c.cpu)).toEqual([...Array(12).keys()]);
  });
});
