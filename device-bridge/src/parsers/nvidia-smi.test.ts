import { GpuListSchema, type GpuList } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { fixturesMissing, readFixture, uncoveredFixtures } from "./fixtures.js";
import { parseNvidiaSmiCsv } from "./nvidia-smi.js";

const a10 = (index: number, temperatureC: number, memoryUsedMiB: number, powerDrawW: number) => ({
  index,
  name: "NVIDIA A10",
  temperatureC,
  memoryUsedMiB,
  memoryTotalMiB: 23028,
  utilizationPct: 0,
  powerDrawW,
});

const CASES: Record<string, GpuList> = {
  "4x-a10-1.txt": [a10(0, 45, 19676, 58.98), a10(1, 45, 19638, 62.35), a10(2, 44, 21700, 59.57), a10(3, 45, 18222, 61.76)],
};

describe.skipIf(fixturesMissing("nvidia-smi fixtures"))("nvidia-smi csv fixtures", () => {
  it("has a case for every fixture file", () => {
    expect(uncoveredFixtures("nvidia-smi-csv", CASES)).toEqual([]);
  });

  it.each(Object.entries(CASES))("%s", (file, expected) => {
    const gpus = parseNvidiaSmiCsv(readFixture("nvidia-smi-csv", file));
    expect(gpus).toStrictEqual(expected);
    expect(GpuListSchema.parse(gpus)).toStrictEqual(gpus);
  });
});

describe("parseNvidiaSmiCsv", () => {
  it("leaves [N/A] and [Not Supported] values out (Jetson's nvgpu)", () => {
    expect(parseNvidiaSmiCsv("0, Orin (nvgpu), [N/A], [N/A], [N/A], [Not Supported], [N/A]\n")).toStrictEqual([
      { index: 0, name: "Orin (nvgpu)" },
    ]);
  });

  it("reads the fields it is given, numbering rows when index is not queried", () => {
    expect(parseNvidiaSmiCsv("NVIDIA A10, 45\nNVIDIA A10, 44\n", ["name", "temperature.gpu"])).toStrictEqual([
      { index: 0, name: "NVIDIA A10", temperatureC: 45 },
      { index: 1, name: "NVIDIA A10", temperatureC: 44 },
    ]);
  });

  it("throws on a row of the wrong width or a value that is not a number", () => {
    expect(() => parseNvidiaSmiCsv("0, NVIDIA A10\n")).toThrow(/line 1 has 2 values for 7 fields/);
    expect(() => parseNvidiaSmiCsv("0, A10, hot, 1, 2, 3, 4\n")).toThrow(/line 1 temperature.gpu is not a number: hot/);
  });
});
