import { describe, expect, it } from "vitest";
import { setLoad } from "./create.js";
import { readSim, runProgram, tempJetson } from "./testing.js";

describe("the systemctl stand-in", () => {
  it("reboots the board on `systemctl reboot` and refuses everything else", async () => {
    const sim = await tempJetson("orin-nano-super-jp6");
    try {
      await runProgram(sim, "jetson_clocks", []);
      setLoad(sim.root, 50);
      expect(await runProgram(sim, "systemctl", ["reboot"])).toEqual({ code: 0, stdout: "", stderr: "" });
      expect(Number.parseFloat(await readSim(sim, "/proc/uptime"))).toBeLessThan(60);
      expect(JSON.parse(await readSim(sim, "/var/lib/jetson-sim/state.json"))).toMatchObject({ clocksLocked: false });
      const refused = await runProgram(sim, "systemctl", ["stop", "nvfancontrol"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/only "systemctl reboot"/);
      const calls = (await readSim(sim, "/var/log/sim-calls.log")).trim().split("\n").map((l) => JSON.parse(l) as { program: string; argv: string[] });
      expect(calls.filter((c) => c.program === "systemctl").map((c) => c.argv)).toEqual([["reboot"], ["stop", "nvfancontrol"]]);
    } finally {
      await sim.remove();
    }
  });
});
