import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { refreshSimulatedJetson } from "../../sim/index.js";
import { setProfileArgs } from "../machine/nvfancontrol-commands.js";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";

let board: SimulatedBoard;
afterEach(() => board.remove());

const onBoard = (file: string) => path.join(board.sim.root, file);
const profileLine = async () => /^\s*FAN_DEFAULT_PROFILE\s+(\S+)/m.exec(await readFile(onBoard("etc/nvfancontrol.conf"), "utf8"))?.[1];

describe("the fan on JetPack 5/6 (hwmon pwm1, nvfancontrol)", () => {
  it("reports the profile nvfancontrol runs, from its status file, beside the one it starts with", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    expect(await board.run("fan.get", {})).toEqual({
      pwm: 55,
      pwmPct: 22,
      rpm: 647,
      nvfancontrol: { running: true, profile: "quiet", defaultProfile: "quiet", profiles: ["quiet", "cool"], control: "close_loop" },
    });
    // Changed at run time (nvfancontrol keeps it across restarts until the file goes).
    await writeFile(onBoard("var/lib/nvfancontrol/status"), "FAN1:FAN_PROFILE:cool\nFAN1:FAN_GOVERNOR:cont\nFAN1:FAN_CONTROL:open_loop\n");
    expect((await board.run("fan.get", {})).nvfancontrol).toEqual({
      running: true,
      profile: "cool",
      defaultProfile: "quiet",
      profiles: ["quiet", "cool"],
      control: "open_loop",
    });
  });

  it("chooses a profile: FAN_DEFAULT_PROFILE changed, the status file gone, nvfancontrol restarted with it", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    const set = await board.run("fan.set", { profile: "cool" });
    expect(set.nvfancontrol).toEqual({ running: true, profile: "cool", defaultProfile: "cool", profiles: ["quiet", "cool"], control: "close_loop" });
    expect(await profileLine()).toBe("cool");
    expect(await readFile(onBoard("var/lib/nvfancontrol/status"), "utf8")).toMatch(/^FAN1:FAN_PROFILE:cool$/m);
    const changes = (await board.calls()).filter((c) => c.program !== "systemctl" || c.argv[0] !== "is-active");
    expect(changes).toEqual([
      { program: "systemctl", argv: ["stop", "nvfancontrol.service"] },
      { program: "sed", argv: setProfileArgs({ profile: "cool" }) },
      { program: "rm", argv: ["-f", "/var/lib/nvfancontrol/status"] },
      { program: "systemctl", argv: ["start", "nvfancontrol.service"] },
    ]);
    expect((await board.run("fan.get", {})).nvfancontrol?.profile).toBe("cool");
  });

  it("refuses a profile the configuration does not list, changing nothing", async () => {
    board = await simulatedBoard("xavier-nx-jp51");
    await expect(board.run("fan.set", { profile: "aggressive" })).rejects.toThrow(
      "/etc/nvfancontrol.conf has no profile aggressive; it lists quiet, cool.",
    );
    expect(await profileLine()).toBe("quiet");
    expect((await board.calls()).filter((c) => c.program === "sed" || c.argv[0] === "stop")).toEqual([]);
  });

  it("sets a PWM, warning that the running nvfancontrol sets its own again", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    const set = await board.run("fan.set", { pwmPct: 100 });
    expect(set).toMatchObject({ pwm: 255, pwmPct: 100, nvfancontrol: { running: true, profile: "quiet" } });
    expect(set.warning).toMatch(/nvfancontrol is running/);
    refreshSimulatedJetson(board.sim.root);
    expect(await board.run("fan.get", {})).toMatchObject({ pwm: 255, pwmPct: 100, rpm: 3000 });
  });

  it("sets a PWM that holds, without a warning, once nvfancontrol is stopped", async () => {
    board = await simulatedBoard("xavier-nx-jp51");
    expect((await board.host.run("systemctl", ["stop", "nvfancontrol.service"])).exitCode).toBe(0);
    const set = await board.run("fan.set", { pwmPct: 40 });
    expect(set).toMatchObject({ pwm: 102, pwmPct: 40, nvfancontrol: { running: false } });
    expect(set.warning).toBeUndefined();
  });
});

describe("the fan on JetPack 4 (pwm-fan)", () => {
  it("reads target_pwm, rpm_measured and temp_control; a PWM set turns temp_control off; temp_control gives it back", async () => {
    board = await simulatedBoard("nano-jp46");
    expect(await board.run("fan.get", {})).toEqual({ pwm: 0, pwmPct: 0, targetPwm: 0, rpm: 0, tempControl: true });
    expect(await board.run("fan.set", { pwmPct: 60 })).toEqual({ pwm: 0, pwmPct: 0, targetPwm: 153, rpm: 0, tempControl: false });
    refreshSimulatedJetson(board.sim.root);
    expect(await board.run("fan.get", {})).toEqual({ pwm: 153, pwmPct: 60, targetPwm: 153, rpm: 3000, tempControl: false });
    expect(await board.run("fan.set", { profile: "temp_control" })).toMatchObject({ targetPwm: 153, tempControl: true });
    expect(await readFile(onBoard("sys/devices/pwm-fan/temp_control"), "utf8")).toBe("1\n");
  });

  it("has no nvfancontrol profiles", async () => {
    board = await simulatedBoard("nano-jp46");
    await expect(board.run("fan.set", { profile: "cool" })).rejects.toThrow(
      "This board has no nvfancontrol (/etc/nvfancontrol.conf is missing): its one profile is temp_control (the kernel's temperature control).",
    );
  });
});

describe("fan.set's input", () => {
  it("takes a speed within 0-100 %, or a profile, never both", async () => {
    board = await simulatedBoard("xavier-nx-jp51");
    await expect(board.run("fan.set", { pwmPct: 101 })).rejects.toThrow(/100/);
    await expect(board.run("fan.set", { pwmPct: 50, profile: "cool" })).rejects.toThrow(/either pwmPct or profile/);
    await expect(board.run("fan.set", {})).rejects.toThrow(/either pwmPct or profile/);
    await expect(board.run("fan.set", { profile: "cool; reboot" })).rejects.toThrow(/a profile name/);
  });
});
