import { describe, expect, it } from "vitest";
import { latestFigures, sampleFigures } from "./device-figures.js";

describe("a device's figures", () => {
  it("shows every sensor, load and clocks, memory, power, fan and disk of a whole sample", () => {
    const figures = sampleFigures({
      cpus: [{ loadPct: 20, freqMHz: 1200 }, { loadPct: 40, freqMHz: 2201.4 }, { online: false }],
      gpu: { loadPct: 5, freqMHz: 612 },
      ram: { usedMB: 3000, totalMB: 12000 },
      tempsC: { tj: 61.25, cpu: 58 },
      totalPowerMW: 10_840,
      fan: { pwmPct: 35 },
      disk: { usedMB: 5, totalMB: 10 },
    });
    expect(figures.map(({ metric, value }) => [metric, value])).toEqual([
      ["temp.cpu", "58.0 °C"],
      ["temp.tj", "61.3 °C"],
      ["cpu.load", "30 %"],
      ["cpu.freqMHz", "2201 MHz"],
      ["gpu.load", "5.0 %"],
      ["gpu.freqMHz", "612 MHz"],
      ["ram.usedPct", "25 %"],
      ["power.totalMW", "10.8 W"],
      ["fan.pwmPct", "35 %"],
      ["disk.usedPct", "50 %"],
    ]);
  });

  it("leaves out what the board did not report, rather than showing zero", () => {
    expect(sampleFigures({ tempsC: { cpu: 40 } }).map((f) => f.metric)).toEqual(["temp.cpu"]);
  });

  it("shows a dash for each of the fleet list's numbers a device has not sent", () => {
    expect(latestFigures(undefined).map((f) => f.value)).toEqual(["–", "–", "–", "–", "–", "–"]);
    expect(latestFigures({ t: 1, hottestC: 77.66 })[0]).toEqual({ metric: "temp.max", label: "Hottest", value: "77.7 °C" });
  });
});
