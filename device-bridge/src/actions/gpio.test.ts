import { afterEach, describe, expect, it } from "vitest";
import type { HostPort } from "../host/port.js";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";

let board: SimulatedBoard;
afterEach(() => board.remove());

const gpioCalls = async () => (await board.calls()).filter((c) => c.program.startsWith("gpio")).map((c) => `${c.program} ${c.argv.join(" ")}`.trim());

describe("GPIO on the AGX Orin developer kit", () => {
  it("lists the header's 22 GPIO pins on both controllers", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    const list = await board.run("gpio.list", {});
    expect(list.header).toBe("Jetson AGX Orin Developer Kit");
    expect(list.lines).toHaveLength(22);
    expect(list.lines[0]).toEqual({
      pin: 7,
      signal: "MCLK05",
      lineName: "PQ.06",
      chip: "tegra234-gpio",
      device: "gpiochip0",
      line: 106,
      direction: "input",
      activeLow: false,
    });
    expect(list.lines.find((l) => l.pin === 16)).toMatchObject({ lineName: "PBB.01", chip: "tegra234-gpio-aon", device: "gpiochip1", line: 9 });
    expect(list.otherPins.find((p) => p.pin === 6)).toEqual({ pin: 6, role: "ground" });
    expect(list.lines.length + list.otherPins.length).toBe(40);
  });

  it("writes a pin, then reads it back", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    expect(await board.run("gpio.write", { pin: 7, value: 1 })).toEqual({ pin: 7, value: 1, chip: "tegra234-gpio", device: "gpiochip0", line: 106 });
    expect((await board.run("gpio.list", {})).lines.find((l) => l.pin === 7)?.direction).toBe("output");
    expect(await board.run("gpio.read", { pin: 7 })).toMatchObject({ pin: 7, value: 1 });
    await board.run("gpio.write", { pin: 31, value: 0 });
    expect(await board.run("gpio.read", { pin: 31 })).toMatchObject({ value: 0, device: "gpiochip1", line: 0 });
    expect(await gpioCalls()).toContain("gpioset gpiochip0 106=1");
    expect(await gpioCalls()).toContain("gpioget gpiochip0 106");
  });

  it("refuses power, ground and I2C pins before running any GPIO tool", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    for (const [pin, role] of [[1, "3.3 V power"], [6, "ground"], [3, "I2C data"]] as const) {
      const error = await board.run("gpio.write", { pin, value: 1 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "invalid_input" });
      expect((error as Error).message).toMatch(new RegExp(`^Pin ${pin} of the Jetson AGX Orin Developer Kit header is ${role}.*, not a GPIO\\. GPIO pins: 7, 11, 12,`));
    }
    await expect(board.run("gpio.read", { pin: 39 })).rejects.toMatchObject({ code: "invalid_input" });
    expect(await gpioCalls()).toEqual([]);
  });

  it("leaves alone a line a driver or another process holds", async () => {
    const held = (host: HostPort): HostPort => ({
      run: async (program, args, options) => {
        const result = await host.run(program, args, options);
        const line = /^\tline 106:.*$/m;
        return program === "gpioinfo" ? { ...result, stdout: result.stdout.replace(line, '\tline 106:      "PQ.06"     "sysfs"  output  active-high [used]') } : result;
      },
      readFile: (p) => host.readFile(p),
      writeFile: (p, d) => host.writeFile(p, d),
      listDir: (p) => host.listDir(p),
      statFs: (p) => host.statFs(p),
      actingProcess: () => host.actingProcess(),
    });
    board = await simulatedBoard("agx-orin-jp6", held);
    expect((await board.run("gpio.list", {})).lines[0]).toMatchObject({ pin: 7, consumer: "sysfs", direction: "output" });
    await expect(board.run("gpio.write", { pin: 7, value: 0 })).rejects.toThrow("Pin 7 (PQ.06) is held by sysfs; it is left alone.");
    await expect(board.run("gpio.read", { pin: 7 })).rejects.toMatchObject({ code: "unavailable" });
    expect((await gpioCalls()).filter((c) => c.startsWith("gpioset") || c.startsWith("gpioget"))).toEqual([]);
  });

  it("refuses a line whose kernel name is not the pad the map expects", async () => {
    // A kernel that numbers lines differently: line 106 would be another pad.
    const renumbered = (host: HostPort): HostPort => ({
      run: async (program, args, options) => {
        const result = await host.run(program, args, options);
        return program === "gpioinfo" ? { ...result, stdout: result.stdout.replace('"PQ.06"', '"PQ.07"') } : result;
      },
      readFile: (p) => host.readFile(p),
      writeFile: (p, d) => host.writeFile(p, d),
      listDir: (p) => host.listDir(p),
      statFs: (p) => host.statFs(p),
      actingProcess: () => host.actingProcess(),
    });
    board = await simulatedBoard("agx-orin-jp6", renumbered);
    await expect(board.run("gpio.write", { pin: 7, value: 1 })).rejects.toThrow("Line 106 of tegra234-gpio is PQ.07, but pin 7 should be PQ.06; refusing to use it.");
    expect(await gpioCalls()).not.toContain("gpioset gpiochip0 106=1");
  });
});

describe("GPIO on other boards", () => {
  it("a third-party carrier: no header map, so nothing is driven", async () => {
    const vendorCarrier = (host: HostPort): HostPort => ({
      run: (program, args, options) => host.run(program, args, options),
      readFile: async (p) => (p === "/proc/device-tree/compatible" ? "acme,carrier-x\0nvidia,p3701-0005\0nvidia,tegra234\0" : host.readFile(p)),
      writeFile: (p, d) => host.writeFile(p, d),
      listDir: (p) => host.listDir(p),
      statFs: (p) => host.statFs(p),
      actingProcess: () => host.actingProcess(),
    });
    board = await simulatedBoard("agx-orin-jp6", vendorCarrier);
    const error = await board.run("gpio.write", { pin: 7, value: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "not_supported" });
    expect((error as Error).message).toMatch(/^No 40-pin header map for this board \(device tree: acme,carrier-x, nvidia,p3701-0005, nvidia,tegra234\)/);
    expect(await gpioCalls()).toEqual([]);
  });

  it("Nano (JetPack 4): unnamed tegra-gpio lines by offset", async () => {
    board = await simulatedBoard("nano-jp46");
    const list = await board.run("gpio.list", {});
    expect(list.header).toBe("Jetson Nano Developer Kit");
    expect(list.lines.find((l) => l.pin === 12)).toEqual({
      pin: 12,
      signal: "I2S0_SCLK",
      chip: "tegra-gpio",
      device: "gpiochip0",
      line: 79,
      direction: "input",
      activeLow: false,
    });
    await board.run("gpio.write", { pin: 12, value: 1 });
    expect((await board.run("gpio.read", { pin: 12 })).value).toBe(1);
    await board.run("gpio.write", { pin: 12, value: 0 });
    expect((await board.run("gpio.read", { pin: 12 })).value).toBe(0);
  });

  it("Xavier NX: pin 15 on the always-on controller", async () => {
    board = await simulatedBoard("xavier-nx-jp51");
    await board.run("gpio.write", { pin: 15, value: 1 });
    expect(await board.run("gpio.read", { pin: 15 })).toEqual({ pin: 15, value: 1, chip: "tegra194-gpio-aon", device: "gpiochip1", line: 16 });
  });

  it("Orin Nano Super: the Orin NX / Nano carrier's map, every line matching its pad", async () => {
    board = await simulatedBoard("orin-nano-super-jp6");
    const list = await board.run("gpio.list", {});
    expect(list.header).toBe("Jetson Orin NX / Orin Nano Developer Kit");
    expect(list.lines.every((l) => l.lineName !== undefined)).toBe(true);
    expect(list.lines.find((l) => l.pin === 7)).toMatchObject({ lineName: "PAC.06", line: 144 });
  });
});

describe("GPIO on the AGX Thor developer kit (JetPack 7, libgpiod v2)", () => {
  it("lists the header's 22 GPIO pins on tegra264's main and always-on controllers", async () => {
    board = await simulatedBoard("agx-thor-jp7");
    const list = await board.run("gpio.list", {});
    expect(list.header).toBe("Jetson AGX Thor Developer Kit");
    expect(list.lines).toHaveLength(22);
    expect(list.lines.every((l) => l.lineName !== undefined)).toBe(true);
    expect(list.lines.find((l) => l.pin === 7)).toMatchObject({ lineName: "PL.06", chip: "tegra264-gpio-main", device: "gpiochip0", line: 86 });
    expect(list.lines.find((l) => l.pin === 32)).toMatchObject({ lineName: "PDD.04", chip: "tegra264-gpio-aon", device: "gpiochip1", line: 22 });
    // v2's gpioinfo takes line names as arguments: one chip at a time with -c.
    expect((await gpioCalls()).sort()).toEqual(["gpiodetect", "gpiodetect --version", "gpioinfo -c gpiochip0", "gpioinfo -c gpiochip1"]);
  });

  it("writes a pin on each controller, then reads it back, asking the tools their version once", async () => {
    board = await simulatedBoard("agx-thor-jp7");
    expect(await board.run("gpio.write", { pin: 15, value: 1 })).toEqual({ pin: 15, value: 1, chip: "tegra264-gpio-main", device: "gpiochip0", line: 127 });
    expect((await board.run("gpio.list", {})).lines.find((l) => l.pin === 15)?.direction).toBe("output");
    expect(await board.run("gpio.read", { pin: 15 })).toMatchObject({ pin: 15, value: 1 });
    await board.run("gpio.write", { pin: 31, value: 1 });
    expect(await board.run("gpio.read", { pin: 31 })).toEqual({ pin: 31, value: 1, chip: "tegra264-gpio-aon", device: "gpiochip1", line: 0 });
    await board.run("gpio.write", { pin: 31, value: 0 });
    expect(await board.run("gpio.read", { pin: 31 })).toMatchObject({ value: 0 });
    const calls = await gpioCalls();
    // -t0: set and exit; without it v2's gpioset holds the line until killed.
    expect(calls).toContain("gpioset -t0 -c gpiochip0 127=1");
    expect(calls).toContain("gpioget --numeric -c gpiochip0 127");
    expect(calls.filter((c) => c === "gpiodetect --version")).toHaveLength(1);
  });

  it("leaves alone a line another process holds, as v2's gpioinfo shows it", async () => {
    const held = (host: HostPort): HostPort => ({
      run: async (program, args, options) => {
        const result = await host.run(program, args, options);
        // libgpiod v2 tools/gpioinfo.c layout: name padded to 16, then direction, active-low and consumer.
        const line = /^\tline  86:.*$/m;
        return program === "gpioinfo" ? { ...result, stdout: result.stdout.replace(line, '\tline  86:\t"PL.06"         \toutput active-low consumer="gpioset"') } : result;
      },
      readFile: (p) => host.readFile(p),
      writeFile: (p, d) => host.writeFile(p, d),
      listDir: (p) => host.listDir(p),
      statFs: (p) => host.statFs(p),
      actingProcess: () => host.actingProcess(),
    });
    board = await simulatedBoard("agx-thor-jp7", held);
    expect((await board.run("gpio.list", {})).lines.find((l) => l.pin === 7)).toMatchObject({ consumer: "gpioset", direction: "output", activeLow: true });
    await expect(board.run("gpio.write", { pin: 7, value: 0 })).rejects.toThrow("Pin 7 (PL.06) is held by gpioset; it is left alone.");
    expect((await gpioCalls()).filter((c) => c.startsWith("gpioset") || c.startsWith("gpioget"))).toEqual([]);
  });
});

describe("libgpiod v1 on JetPack 6", () => {
  it("passes chips to gpioinfo and gpioget positionally, and gpioset exits by itself", async () => {
    board = await simulatedBoard("orin-nano-super-jp6");
    await board.run("gpio.write", { pin: 7, value: 1 });
    expect(await board.run("gpio.read", { pin: 7 })).toMatchObject({ value: 1 });
    expect((await gpioCalls()).filter((c) => !c.startsWith("gpiodetect"))).toEqual([
      "gpioinfo gpiochip0",
      "gpioset gpiochip0 144=1",
      "gpioinfo gpiochip0",
      "gpioget gpiochip0 144",
    ]);
  });
});
