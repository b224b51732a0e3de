import { describe, expect, it } from "vitest";
import { setLoad } from "./create.js";
import { readSim, runProgram, tempJetson } from "./testing.js";

const calls = async (sim: { root: string }) =>
  (await readSim(sim as never, "/var/log/sim-calls.log"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { program: string; argv: string[] });

describe("the systemctl stand-in", () => {
  it("reboots the board on `systemctl reboot`: units start again as enabled", async () => {
    const sim = await tempJetson("orin-nano-super-jp6");
    try {
      await runProgram(sim, "jetson_clocks", []);
      setLoad(sim.root, 50);
      await runProgram(sim, "systemctl", ["stop", "nvargus-daemon.service"]);
      expect(await runProgram(sim, "systemctl", ["reboot"])).toEqual({ code: 0, stdout: "", stderr: "" });
      expect(Number.parseFloat(await readSim(sim, "/proc/uptime"))).toBeLessThan(60);
      expect(JSON.parse(await readSim(sim, "/var/lib/jetson-sim/state.json"))).toMatchObject({ clocksLocked: false });
      expect((await runProgram(sim, "systemctl", ["show", "-p", "ActiveState", "nvargus-daemon"])).stdout).toBe("ActiveState=active\n");
      expect((await calls(sim)).filter((c) => c.program === "systemctl").map((c) => c.argv[0])).toEqual(["stop", "reboot", "show"]);
    } finally {
      await sim.remove();
    }
  });

  it("starts, stops, enables and disables units, with systemctl's messages and exit codes", async () => {
    const sim = await tempJetson("agx-orin-jp6");
    try {
      const state = async (unit: string) => (await runProgram(sim, "systemctl", ["show", "--property=ActiveState,SubState,UnitFileState,MainPID", "--", unit])).stdout;
      expect(await state("nginx.service")).toBe("ActiveState=inactive\nSubState=dead\nUnitFileState=disabled\nMainPID=0\n");
      expect((await runProgram(sim, "systemctl", ["start", "nginx.service"])).code).toBe(0);
      expect(await state("nginx.service")).toBe("ActiveState=active\nSubState=running\nUnitFileState=disabled\nMainPID=4400\n");
      expect(await runProgram(sim, "systemctl", ["enable", "nginx.service"])).toMatchObject({ code: 0, stderr: expect.stringMatching(/^Created symlink /) });
      expect(await runProgram(sim, "systemctl", ["disable", "nginx"])).toMatchObject({ code: 0, stderr: expect.stringMatching(/^Removed /) });
      expect((await runProgram(sim, "systemctl", ["stop", "nginx.service"])).code).toBe(0);
      expect(await state("nginx")).toBe("ActiveState=inactive\nSubState=dead\nUnitFileState=disabled\nMainPID=0\n");

      const failing = await runProgram(sim, "systemctl", ["start", "camera-pipeline.service"]);
      expect(failing.code).toBe(1);
      expect(failing.stderr).toMatch(/^Job for camera-pipeline.service failed because the control process exited with error code\./);
      expect(await runProgram(sim, "systemctl", ["start", "nosuch.service"])).toMatchObject({ code: 5, stderr: "Failed to start nosuch.service: Unit nosuch.service not found.\n" });
      expect(await state("nosuch.service")).toBe("ActiveState=inactive\nSubState=dead\nUnitFileState=\nMainPID=0\n");
      expect((await runProgram(sim, "systemctl", ["isolate", "rescue.target"])).code).toBe(1);
    } finally {
      await sim.remove();
    }
  });

  it("lists units as systemd 237 does on JetPack 4, failed ones marked", async () => {
    const sim = await tempJetson("nano-jp46");
    try {
      const { stdout } = await runProgram(sim, "systemctl", ["list-units", "--type=service", "--state=failed", "--no-pager", "--plain", "--no-legend"]);
      expect(stdout).toBe("* camera-pipeline.service loaded failed failed Camera inference pipeline\n");
    } finally {
      await sim.remove();
    }
  });
});
