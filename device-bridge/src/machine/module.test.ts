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

describe("every current module by its part number", () => {
  it.each([
    [["nvidia,p3737-0000+p3701-0005", "nvidia,p3701-0005", "nvidia,tegra234"], "p3701-0005", "Jetson AGX Orin 64GB"],
    [["nvidia,p3737-0000+p3701-0004", "nvidia,p3701-0004", "nvidia,tegra234"], "p3701-0004", "Jetson AGX Orin 32GB"],
    [["nvidia,p3768-0000+p3767-0000", "nvidia,p3767-0000", "nvidia,tegra234"], "p3767-0000", "Jetson Orin NX 16GB"],
    [["nvidia,p3768-0000+p3767-0001", "nvidia,p3767-0001", "nvidia,tegra234"], "p3767-0001", "Jetson Orin NX 8GB"],
    [["nvidia,p3768-0000+p3767-0003", "nvidia,p3767-0003", "nvidia,tegra234"], "p3767-0003", "Jetson Orin Nano 8GB"],
    [["nvidia,p3768-0000+p3767-0004", "nvidia,p3767-0004", "nvidia,tegra234"], "p3767-0004", "Jetson Orin Nano 4GB"],
    [["nvidia,p3834-0008", "nvidia,tegra264"], "p3834-0008", "Jetson AGX Thor (developer kit module)"],
  ])("%j", (compatible, partNumber, name) => {
    expect(boardParts(compatible).module).toEqual({ partNumber, name });
  });

  // Their compatible lists name the developer kit or its codename, not the module.
  it("reads the TX2 and the AGX Xavier from nvidia,dtsfilename", () => {
    const tx2 = "/dvs/git/dirty/git-master_linux/kernel/kernel-4.9/arch/arm64/boot/dts/../../../../../../hardware/nvidia/platform/t18x/quill/kernel-dts/tegra186-quill-p3310-1000-c03-00-base.dts\0";
    expect(boardParts(["nvidia,quill", "nvidia,tegra186"], tx2)).toEqual({ module: { partNumber: "p3310-1000", name: "Jetson TX2" } });
    const xavier = "/dvs/git/dirty/git-master_linux/kernel/kernel-4.9/arch/arm64/boot/dts/../../../../../../hardware/nvidia/platform/t19x/galen/kernel-dts/tegra194-p2888-0001-p2822-0000.dts\0";
    expect(boardParts(["nvidia,p2972-0000", "nvidia,tegra194"], xavier)).toEqual({
      carrier: "p2822-0000",
      module: { partNumber: "p2888-0001", name: "Jetson AGX Xavier 16GB" },
    });
  });

  it("prefers the compatible list to the file name, and ignores a file name without a known module", () => {
    expect(boardParts(["nvidia,p3737-0000+p3701-0005"], "tegra234-p3701-0000-p3737-0000.dts").module?.partNumber).toBe("p3701-0005");
    expect(boardParts(["acme,box"], "acme-carrier-rev2.dts")).toEqual({});
  });
});
