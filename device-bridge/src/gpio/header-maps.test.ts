import { describe, expect, it } from "vitest";
import { FIXED_PINS, HEADER_MAPS, headerMapFor } from "./header-maps.js";

describe.each(HEADER_MAPS.map((m) => [m.name, m] as const))("40-pin header map: %s", (_name, map) => {
  it("covers every pin once: a GPIO or a fixed power, ground, I2C or UART pin", () => {
    const gpioPins = map.pins.map((p) => p.pin);
    expect(new Set(gpioPins).size).toBe(gpioPins.length);
    expect([...gpioPins, ...FIXED_PINS.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it("never maps two pins to one line", () => {
    const lines = map.pins.map((p) => `${p.chip}:${p.line}`);
    expect(new Set(lines).size).toBe(lines.length);
  });

  it("names each line after its pad where the kernel names lines", () => {
    for (const pin of map.pins) if (pin.lineName !== undefined) expect(pin.lineName).toMatch(/^P[A-Z]{1,2}\.0[0-7]$/);
  });
});

describe("choosing the header map", () => {
  it("goes by carrier and module in the device tree", () => {
    expect(headerMapFor(["nvidia,p3737-0000+p3701-0005", "nvidia,p3701-0005", "nvidia,tegra234"])?.name).toBe("Jetson AGX Orin Developer Kit");
    expect(headerMapFor(["nvidia,p3768-0000+p3767-0005-super", "nvidia,tegra234"])?.name).toBe("Jetson Orin NX / Orin Nano Developer Kit");
    expect(headerMapFor(["nvidia,p3509-0000+p3668-0001", "nvidia,tegra194"])?.name).toBe("Jetson Xavier NX Developer Kit");
    expect(headerMapFor(["nvidia,p3971-0080+p3834-0008", "nvidia,p3834-0008", "nvidia,tegra264"])?.name).toBe("Jetson AGX Thor Developer Kit");
    expect(headerMapFor(["nvidia,p3449-0000-b00+p3448-0000-b00", "nvidia,jetson-nano", "nvidia,tegra210"])?.name).toBe("Jetson Nano Developer Kit");
    // A third-party carrier's header is wired differently.
    expect(headerMapFor(["vendor,carrier+p3701-0005", "nvidia,p3701-0005", "nvidia,tegra234"])).toBeUndefined();
  });
});
