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

describe("libgpiod v2 output", () => {
  it("reads gpioinfo's v2 layout: padded quoted names, then only the attributes that are set", () => {
    // Layout of libgpiod v2 tools/gpioinfo.c print_line_info() and tools-common.c print_line_attributes():
    // "\tline %3u:\t", the quoted name padded to 16 (longer ones unpadded), a tab, the direction, then
    // active-low, drive=, bias=, edges=, event-clock=, debounce-period= and consumer= when set.
    const text = [
      "gpiochip0 - 4 lines:",
      '\tline   0:\t"BT_ON"         \toutput',
      '\tline   2:\t"PWR_LED_OFF"   \toutput active-low consumer="led1"',
      '\tline   3:\t"A_LONGER_LINE_NAME"\tinput drive=open-drain bias=pull-up edges=both event-clock=realtime debounce-period=10ms consumer="my daemon"',
      // v2.1 (Ubuntu 24.04) leaves the consumer of an unnamed line unquoted.
      "\tline   5:\tunnamed         \tinput consumer=kernel",
      "",
    ].join("\n");
    expect(parseGpioinfo(text).get("gpiochip0")).toEqual([
      { offset: 0, name: "BT_ON", direction: "output", activeLow: false, flags: [] },
      { offset: 2, name: "PWR_LED_OFF", consumer: "led1", direction: "output", activeLow: true, flags: [] },
      {
        offset: 3,
        name: "A_LONGER_LINE_NAME",
        consumer: "my daemon",
        direction: "input",
        activeLow: false,
        flags: ["drive=open-drain", "bias=pull-up", "edges=both", "event-clock=realtime", "debounce-period=10ms"],
      },
      { offset: 5, consumer: "kernel", direction: "input", activeLow: false, flags: [] },
    ]);
  });

  it("reads several v2 chips printed one after another", () => {
    const text = 'gpiochip0 - 2 lines:\n\tline   1:\t"PA.01"         \tinput\ngpiochip1 - 1 lines:\n\tline   0:\t"PAA.00"        \toutput\n';
    const chips = parseGpioinfo(text);
    expect([...chips.keys()]).toEqual(["gpiochip0", "gpiochip1"]);
    expect(chips.get("gpiochip1")).toEqual([{ offset: 0, name: "PAA.00", direction: "output", activeLow: false, flags: [] }]);
  });
});
