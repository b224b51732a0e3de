import { afterEach, describe, expect, it } from "vitest";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";

let board: SimulatedBoard;
afterEach(() => board.remove());

describe("processes on a simulated Nano", () => {
  it("lists the top processes by CPU and by memory", async () => {
    board = await simulatedBoard("nano-jp46");
    const top = await board.run("processes.top", { count: 3 });
    expect(top.byCpu.map((p) => p.command)).toEqual(["python3", "gst-launch-1.0", "node"]);
    expect(top.byCpu[0]).toMatchObject({ pid: 2210, ppid: 1, user: "nvidia", cpuPercent: 143 });
    expect(top.byMemory.map((p) => p.command)).toEqual(["python3", "gst-launch-1.0", "dockerd"]);
    expect(top.processCount).toBeGreaterThan(10);
  });

  it("ends a process with SIGTERM, and a stuck one with SIGKILL after the grace period", async () => {
    board = await simulatedBoard("nano-jp46");
    expect(await board.run("processes.kill", { pid: 2290 })).toEqual({
      pid: 2290,
      command: "gst-launch-1.0",
      user: "nvidia",
      signals: ["TERM"],
      exited: true,
      message: "gst-launch-1.0 (PID 2290, user nvidia) ended after SIGTERM.",
    });
    const stuck = await board.run("processes.kill", { pid: 3120, force: true, graceSeconds: 1 });
    expect(stuck).toMatchObject({ signals: ["TERM", "KILL"], exited: true });
    expect((await board.run("processes.top", { count: 50 })).byCpu.map((p) => p.pid)).not.toContain(3120);
    const kills = (await board.calls()).filter((c) => c.program === "kill").map((c) => c.argv.join(" "));
    expect(kills).toEqual(["-s TERM 2290", "-s TERM 3120", "-s KILL 3120"]);
  });

  it("says when SIGTERM did not end a process and force was not asked", async () => {
    board = await simulatedBoard("nano-jp46");
    const result = await board.run("processes.kill", { pid: 3120 });
    expect(result).toMatchObject({ signals: ["TERM"], exited: false });
    expect(result.message).toMatch(/still running .* call again with force/);
  });

  it("stopping a unit's main process fails the unit", async () => {
    board = await simulatedBoard("nano-jp46");
    await board.run("processes.kill", { pid: 745 });
    expect(await board.run("services.status", { unit: "nvargus-daemon" })).toMatchObject({ activeState: "failed", result: "signal" });
  });

  it("refuses PID 1 and the bridge before running anything, and its family after looking", async () => {
    board = await simulatedBoard("nano-jp46");
    await expect(board.run("processes.kill", { pid: 1 })).rejects.toMatchObject({ code: "permission_denied", message: expect.stringMatching(/^PID 1 is not stopped: it is init/) });
    await expect(board.run("processes.kill", { pid: process.pid })).rejects.toMatchObject({ message: expect.stringMatching(/the bridge itself/) });
    expect(await board.calls()).toEqual([]);
    // The ps stand-in lists itself as a child of its caller, here this test's process.
    const ps = (await board.run("processes.top", { count: 50 })).byCpu.find((p) => p.command === "ps");
    expect(ps?.ppid).toBe(process.pid);
    await expect(board.run("processes.kill", { pid: 4_000_000 })).rejects.toMatchObject({ code: "invalid_input" });
    expect((await board.calls()).filter((c) => c.program === "kill")).toEqual([]);
  });
});
