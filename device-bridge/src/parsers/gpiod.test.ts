import { describe, expect, it } from "vitest";
import { parseGpiodetect, parseGpioinfo } from "./gpiod.js";

describe("libgpiod v1 output", () => {
  it("reads gpiodetect", () => {
    expect(parseGpiodetect("gpiochip0 [tegra234-gpio] (164 lines)\ngpiochip1 [tegra234-gpio-aon] (32 lines)\n")).toEqual([
      { device: "gpiochip0", label: "tegra234-gpio", lines: 164 },
      { device: "gpiochip1", label: "tegra234-gpio-aon", lines: 32 },
    ]);
    expect(() => parseGpiodetect("gpiochip0 tegra234-gpio\n")).toThrow(/cannot read/);
  });

  it("reads gpioinfo columns, including lines whose consumer overflows the layout", () => {
    const text = [
      "gpiochip0 - 164 lines:",
      '\tline   0:      "PA.00" "regulator-vdd-3v3-pcie" output active-high [used]',
      '\tline   1:      "PA.01"       unused   input  active-high ',
      "\tline   2:      unnamed     \"kernel\"  output   active-low [used open-drain]",
      "gpiochip1 - 32 lines:",
      '\tline   9:     "PBB.01"       unused  output  active-high ',
      "",
    ].join("\n");
    const chips = parseGpioinfo(text);
    expect([...chips.keys()]).toEqual(["gpiochip0", "gpiochip1"]);
    expect(chips.get("gpiochip0")).toEqual([
      { offset: 0, name: "PA.00", consumer: "regulator-vdd-3v3-pcie", direction: "output", activeLow: false, flags: ["used"] },
      { offset: 1, name: "PA.01", direction: "input", activeLow: false, flags: [] },
      { offset: 2, consumer: "kernel", direction: "output", activeLow: true, flags: ["used", "open-drain"] },
    ]);
    expect(chips.get("gpiochip1")?.[0]).toMatchObject({ offset: 9, name: "PBB.01", direction: "output" });
    expect(() => parseGpioinfo("\tline   0: ?\n")).toThrow(/cannot read/);
  });
});
