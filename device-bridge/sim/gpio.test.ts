import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimulatedJetson } from "./create.js";
import { runProgram, tempJetson } from "./testing.js";

type Sim = SimulatedJetson & { remove(): Promise<void> };

describe("libgpiod v1 stand-ins on the AGX Orin", () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await tempJetson("agx-orin-jp6");
  });
  afterAll(() => sim.remove());

  it("gpiodetect lists both controllers with their line counts", async () => {
    expect(await runProgram(sim, "gpiodetect", [])).toEqual({
      code: 0,
      stdout: "gpiochip0 [tegra234-gpio] (164 lines)\ngpiochip1 [tegra234-gpio-aon] (32 lines)\n",
      stderr: "",
    });
  });

  it("gpioinfo prints every line in gpioinfo.c's columns, named after the pads", async () => {
    const { code, stdout } = await runProgram(sim, "gpioinfo", ["tegra234-gpio-aon"]);
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toBe("gpiochip1 - 32 lines:");
    expect(lines[1]).toBe('\tline   0:     "PAA.00"       unused   input  active-high ');
    expect(lines[9]).toBe('\tline   8:     "PBB.00"       unused   input  active-high ');
    expect(lines[32]).toBe('\tline  31:     "PGG.00"       unused   input  active-high ');
    const main = (await runProgram(sim, "gpioinfo", ["gpiochip0"])).stdout.split("\n");
    // Jetson.GPIO's map: header pin 7 is line 106, PQ.06; pin 40 is line 51, PI.00.
    expect(main[107]).toBe('\tline 106:      "PQ.06"       unused   input  active-high ');
    expect(main[52]).toBe('\tline  51:      "PI.00"       unused   input  active-high ');
    expect(main).toHaveLength(166);
  });

  it("gpioset drives a line, gpioinfo shows it as an output, gpioget reads it back as an input", async () => {
    expect((await runProgram(sim, "gpioset", ["gpiochip0", "106=1"])).code).toBe(0);
    expect((await runProgram(sim, "gpioinfo", ["0"])).stdout.split("\n")[107]).toBe('\tline 106:      "PQ.06"       unused  output  active-high ');
    expect(await runProgram(sim, "gpioget", ["gpiochip0", "106", "105"])).toEqual({ code: 0, stdout: "1 0\n", stderr: "" });
    expect((await runProgram(sim, "gpioinfo", ["0"])).stdout.split("\n")[107]).toContain(" input ");
    expect((await runProgram(sim, "gpioget", ["-l", "gpiochip0", "106"])).stdout).toBe("0\n");
  });

  it("fails as libgpiod does on bad chips, offsets and mappings", async () => {
    expect(await runProgram(sim, "gpioget", ["gpiochip9", "1"])).toMatchObject({ code: 1, stderr: "gpioget: error reading GPIO values: No such file or directory\n" });
    expect(await runProgram(sim, "gpioget", ["gpiochip0", "164"])).toMatchObject({ code: 1, stderr: "gpioget: error reading GPIO values: Invalid argument\n" });
    expect(await runProgram(sim, "gpioset", ["gpiochip0", "106"])).toMatchObject({ code: 1, stderr: "gpioset: invalid offset<->value mapping: 106\n" });
    expect(await runProgram(sim, "gpioset", ["--mode=wait", "gpiochip0", "106=1"])).toMatchObject({ code: 1 });
    expect(await runProgram(sim, "gpioinfo", ["nope"])).toMatchObject({ code: 1, stderr: "gpioinfo: looking up chip nope: No such file or directory\n" });
  });
});

describe("libgpiod v1 stand-ins on the Nano (JetPack 4)", () => {
  it("lists tegra-gpio with unnamed lines", async () => {
    const sim = await tempJetson("nano-jp46");
    try {
      expect((await runProgram(sim, "gpiodetect", [])).stdout).toBe("gpiochip0 [tegra-gpio] (256 lines)\ngpiochip1 [max77620-gpio] (8 lines)\n");
      expect((await runProgram(sim, "gpioinfo", ["tegra-gpio"])).stdout.split("\n")[217]).toBe(
        "\tline 216:      unnamed       unused   input  active-high ",
      );
    } finally {
      await sim.remove();
    }
  });
});
