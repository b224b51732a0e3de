import { describe, expect, it } from "vitest";
import { familyForSoc, parseDeviceTreeCompatible, parseDeviceTreeString, socFromCompatible } from "./device-tree.js";

describe("parseDeviceTreeString", () => {
  it("strips the trailing NUL and whitespace of model and serial-number", () => {
    expect(parseDeviceTreeString("1424122012345\0")).toBe("1424122012345");
    expect(parseDeviceTreeString("NVIDIA Jetson AGX Orin Developer Kit\0")).toBe("NVIDIA Jetson AGX Orin Developer Kit");
    expect(parseDeviceTreeString("Jetson-AGX \n\0\0")).toBe("Jetson-AGX");
  });

  it("is undefined for an empty property", () => {
    expect(parseDeviceTreeString("\0")).toBeUndefined();
  });
});

describe("compatible", () => {
  const ORIN = "nvidia,p3737-0000+p3701-0005\0nvidia,p3701-0005\0nvidia,tegra234\0";

  it("splits the NUL-separated list", () => {
    expect(parseDeviceTreeCompatible(ORIN)).toEqual(["nvidia,p3737-0000+p3701-0005", "nvidia,p3701-0005", "nvidia,tegra234"]);
  });

  it.each([
    [ORIN, "tegra234"],
    ["nvidia,p3450-0000\0nvidia,jetson-nano\0nvidia,tegra210\0", "tegra210"],
    ["acme,carrier\0nvidia,tegra264\0", "tegra264"],
    ["raspberrypi,4-model-b\0brcm,bcm2711\0", undefined],
  ])("finds the SoC of %j", (raw, soc) => {
    expect(socFromCompatible(parseDeviceTreeCompatible(raw))).toBe(soc);
  });

  it.each([
    ["tegra210", "Nano/TX1"],
    ["tegra186", "TX2"],
    ["tegra194", "Xavier"],
    ["tegra234", "Orin"],
    ["tegra264", "Thor"],
    ["tegra124", undefined],
  ])("names the family of %s", (soc, family) => {
    expect(familyForSoc(soc)).toBe(family);
  });
});
