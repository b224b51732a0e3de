import { describe, expect, it } from "vitest";
import { boardParts } from "./module.js";

describe("module and carrier from the device tree", () => {
  it("reads carrier+module entries, revision suffixes aside", () => {
    expect(boardParts(["nvidia,p3737-0000+p3701-0005", "nvidia,p3701-0005", "nvidia,tegra234"])).toEqual({
      carrier: "p3737-0000",
      module: { partNumber: "p3701-0005", name: "Jetson AGX Orin 64GB" },
    });
    expect(boardParts(["nvidia,p3449-0000-b00+p3448-0000-b00", "nvidia,jetson-nano", "nvidia,tegra210"])).toEqual({
      carrier: "p3449-0000",
      module: { partNumber: "p3448-0000", name: "Jetson Nano 4GB" },
    });
  });

  it("takes a lone module entry, and leaves unknown boards empty", () => {
    expect(boardParts(["vendor,box", "nvidia,p3668-0001", "nvidia,tegra194"])).toEqual({ module: { partNumber: "p3668-0001", name: "Jetson Xavier NX" } });
    expect(boardParts(["nvidia,p9999-0000+p9998-0001"])).toEqual({ carrier: "p9999-0000", module: { partNumber: "p9998-0001" } });
    expect(boardParts(["raspberrypi,4-model-b"])).toEqual({});
  });
});
