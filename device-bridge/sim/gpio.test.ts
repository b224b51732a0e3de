import { execFile } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
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

  it("answers --version as libgpiod v1 does", async () => {
    expect(await runProgram(sim, "gpiodetect", ["--version"])).toEqual({ code: 0, stdout: "gpiodetect (libgpiod) v1.6.3\n", stderr: "" });
    expect((await runProgram(sim, "gpioset", ["-v"])).stdout).toBe("gpioset (libgpiod) v1.6.3\n");
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
      // Ubuntu 18.04's libgpiod 1.0, from before the version gained its "v" (libgpiod commit 8425c80, in 1.2).
      expect((await runProgram(sim, "gpiodetect", ["--version"])).stdout).toBe("gpiodetect (libgpiod) 1.0\n");
    } finally {
      await sim.remove();
    }
  });
});

describe("libgpiod v2 stand-ins on the AGX Thor (JetPack 7)", () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await tempJetson("agx-thor-jp7");
  });
  afterAll(() => sim.remove());

  it("gpiodetect answers --version as v2 and lists the chips as v1 did", async () => {
    expect((await runProgram(sim, "gpiodetect", ["--version"])).stdout).toBe("gpiodetect (libgpiod) v2.1\n");
    expect((await runProgram(sim, "gpiodetect", [])).stdout).toBe("gpiochip0 [tegra264-gpio-main] (133 lines)\ngpiochip1 [tegra264-gpio-aon] (30 lines)\n");
  });

  it("gpioinfo takes chips by -c and line names as arguments, in v2's layout", async () => {
    const { code, stdout } = await runProgram(sim, "gpioinfo", ["-c", "gpiochip0"]);
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toBe("gpiochip0 - 133 lines:");
    // Jetson.GPIO's Thor map: header pin 7 is line 86, PL.06.
    expect(lines[87]).toBe('\tline  86:\t"PL.06"         \tinput');
    expect(lines).toHaveLength(135);
    expect(await runProgram(sim, "gpioinfo", ["PL.06"])).toEqual({ code: 0, stdout: 'gpiochip0 86\t"PL.06"         \tinput\n', stderr: "" });
    // What a v1 caller passes is a line name to v2, and there is no such line.
    expect(await runProgram(sim, "gpioinfo", ["gpiochip0"])).toMatchObject({ code: 1, stderr: "gpioinfo: cannot find line 'gpiochip0'\n" });
    expect(await runProgram(sim, "gpioinfo", ["-c", "tegra264-gpio-main"])).toMatchObject({
      code: 1,
      stderr: "gpioinfo: cannot find GPIO chip character device 'tegra264-gpio-main'\n",
    });
  });

  it("gpioset -t0 drives a line and exits; gpioget prints it as active, or as a number", async () => {
    expect(await runProgram(sim, "gpioset", ["-t0", "-c", "gpiochip0", "86=1"])).toEqual({ code: 0, stdout: "", stderr: "" });
    expect((await runProgram(sim, "gpioinfo", ["-c", "0"])).stdout.split("\n")[87]).toBe('\tline  86:\t"PL.06"         \toutput');
    expect(await runProgram(sim, "gpioget", ["-c", "gpiochip0", "86"])).toEqual({ code: 0, stdout: '"86"=active\n', stderr: "" });
    expect((await runProgram(sim, "gpioget", ["--numeric", "-c", "gpiochip0", "86"])).stdout).toBe("1\n");
    expect((await runProgram(sim, "gpioget", ["PL.06"])).stdout).toBe('"PL.06"=active\n');
    expect((await runProgram(sim, "gpioinfo", ["PL.06"])).stdout).toContain("\tinput");
    // v1's syntax fails on v2.
    expect(await runProgram(sim, "gpioget", ["gpiochip0", "86"])).toMatchObject({ code: 1, stderr: "gpioget: cannot find line 'gpiochip0'\ngpioget: cannot find line '86'\n" });
    expect(await runProgram(sim, "gpioset", ["-t0", "-c", "gpiochip0", "86=2"])).toMatchObject({ code: 1, stderr: "gpioset: invalid line value: '2'\n" });
    expect(await runProgram(sim, "gpioget", ["-c", "gpiochip0", "133"])).toMatchObject({ code: 1, stderr: "gpioget: offset 133 is out of range on chip 'gpiochip0'\n" });
  });

  it("gpioset without -t0 holds the line until it is signalled", async () => {
    const child = execFile(path.join(sim.binDir, "gpioset"), ["-c", "gpiochip1", "0=1"]);
    const exited = once(child, "exit");
    // The line is driven once gpioinfo shows it as an output; gpioset is then still holding it.
    let line = "";
    while (!line.endsWith("output") && child.exitCode === null) line = (await runProgram(sim, "gpioinfo", ["-c", "gpiochip1"])).stdout.split("\n")[1] ?? "";
    expect(child.exitCode).toBeNull();
    child.kill("SIGTERM");
    expect(await exited).toEqual([0, null]);
  });
});
