import { TelemetrySampleSchema, type TelemetrySample } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { fixturesMissing, readFixture, uncoveredFixtures } from "./fixtures.js";
import { parseTegrastatsLine, readTegrastatsLine } from "./tegrastats.js";

type Cpu = NonNullable<TelemetrySample["cpus"]>[number];

interface Case {
  /** Number of cores and the first core. */
  cpus: [number, Cpu];
  /** The whole sample except cpus, exactly: a key missing here must be missing from the sample. */
  sample: Omit<TelemetrySample, "cpus">;
}

const mw = (now: number, avg: number, max?: number) => (max === undefined ? { now, avg } : { now, avg, max });

// Values read off the fixture lines by hand. Notes on the quirks each one covers:
// agx-orin-1..3: no total rail, so the sum of rails; GR3D_FREQ 0%@[0,0]. agx-orin-4: JetPack 7 temps (cur/..)
// and three-value rails, no SWAP. agx-orin-5: GR3D2_FREQ ignored, upper-case temps, -256C sensors and NC rails
// left out, VDDQ_VDD2_1V8AO (fed from VIN_SYS_5V0) not in the total. agx-thor-*: GR3D_FREQ @[0,0,0] has no load,
// engines as NAME0_FREQ @0 (NVENC0 named NVENC as on JetPack 6). Every fixture: engines, nothing unread. nano-1, tx2-*, xavier-nx-*: PMIC placeholder left out,
// POM_5V_IN / VDD_IN as total. orin-nano-2: non-root, no EMC, GR3D_FREQ without frequency. tx1-*: R28
// lowercase format with one shared CPU frequency.
const CASES: Record<string, Case> = {
  "agx-orin-1.txt": {
    cpus: [12, { loadPct: 14, freqMHz: 2188 }],
    sample: {
      engines: { NVENC: { online: true, loadPct: 79, freqMHz: 166 }, NVDEC: { online: false }, NVJPG: { online: false }, NVJPG1: { online: false }, VIC: { online: true, loadPct: 36, freqMHz: 115 }, OFA: { online: false }, NVDLA0: { online: false }, NVDLA1: { online: false }, PVA0: { online: false }, APE: { online: true, freqMHz: 174 } },
      time: "2026-05-09T18:42:06",
      ram: { usedMB: 18207, totalMB: 62841 },
      swap: { usedMB: 86, totalMB: 31420 },
      emc: { loadPct: 3, freqMHz: 2133 },
      gpu: { loadPct: 0, freqMHz: 0 },
      tempsC: { cpu: 52.562, soc2: 48.437, soc0: 49.093, tj: 52.562, soc1: 49.656 },
      powerMW: { VDD_GPU_SOC: mw(2412, 2412), VDD_CPU_CV: mw(1607, 1607), VIN_SYS_5V0: mw(4707, 4707) },
      totalPowerMW: 8726,
    },
  },
  "agx-orin-2.txt": {
    cpus: [12, { loadPct: 16, freqMHz: 1949 }],
    sample: {
      engines: { NVENC: { online: true, loadPct: 78, freqMHz: 166 }, NVDEC: { online: false }, NVJPG: { online: false }, NVJPG1: { online: false }, VIC: { online: true, loadPct: 32, freqMHz: 115 }, OFA: { online: false }, NVDLA0: { online: false }, NVDLA1: { online: false }, PVA0: { online: false }, APE: { online: true, freqMHz: 174 } },
      time: "2026-05-09T18:42:07",
      ram: { usedMB: 18202, totalMB: 62841 },
      swap: { usedMB: 86, totalMB: 31420 },
      emc: { loadPct: 3, freqMHz: 2133 },
      gpu: { loadPct: 0, freqMHz: 0 },
      tempsC: { cpu: 52.343, soc2: 48.343, soc0: 49.062, tj: 52.343, soc1: 49.531 },
      powerMW: { VDD_GPU_SOC: mw(2412, 2412), VDD_CPU_CV: mw(1607, 1607), VIN_SYS_5V0: mw(4607, 4657) },
      totalPowerMW: 8626,
    },
  },
  "agx-orin-3.txt": {
    cpus: [12, { loadPct: 14, freqMHz: 729 }],
    sample: {
      engines: { NVENC: { online: true, loadPct: 78, freqMHz: 179 }, NVDEC: { online: false }, NVJPG: { online: false }, NVJPG1: { online: false }, VIC: { online: true, loadPct: 37, freqMHz: 115 }, OFA: { online: false }, NVDLA0: { online: false }, NVDLA1: { online: false }, PVA0: { online: false }, APE: { online: true, freqMHz: 174 } },
      time: "2026-05-09T18:42:08",
      ram: { usedMB: 18203, totalMB: 62841 },
      swap: { usedMB: 86, totalMB: 31420 },
      emc: { loadPct: 2, freqMHz: 2133 },
      gpu: { loadPct: 0, freqMHz: 0 },
      tempsC: { cpu: 52.156, soc2: 48.468, soc0: 49.218, tj: 52.156, soc1: 49.625 },
      powerMW: { VDD_GPU_SOC: mw(2412, 2412), VDD_CPU_CV: mw(1607, 1607), VIN_SYS_5V0: mw(4707, 4674) },
      totalPowerMW: 8726,
    },
  },
  "agx-orin-4.txt": {
    cpus: [12, { loadPct: 23, freqMHz: 2201 }],
    sample: {
      engines: { NVENC: { online: false }, NVDEC: { online: false }, NVJPG: { online: false }, NVJPG1: { online: false }, VIC: { online: false }, OFA: { online: false }, NVDLA0: { online: false }, NVDLA1: { online: false }, PVA0: { online: false }, APE: { online: true, freqMHz: 174 } },
      time: "2026-07-25T09:08:28",
      ram: { usedMB: 20642, totalMB: 62817 },
      emc: { loadPct: 3, freqMHz: 3199 },
      gpu: { loadPct: 12, freqMHz: 1300 },
      tempsC: { cpu: 52.968, soc2: 48.406, soc0: 49.531, gpu: 47.625 },
      powerMW: {
        VDD_GPU_SOC: mw(5139, 5139, 5139),
        VDD_CPU_CV: mw(3268, 3268, 3268),
        VIN_SYS_5V0: mw(5500, 5500, 5500),
      },
      totalPowerMW: 13907,
    },
  },
  "agx-orin-5.txt": {
    cpus: [12, { loadPct: 0, freqMHz: 729 }],
    sample: {
      engines: { VIC: { online: true, freqMHz: 729 }, APE: { online: true, freqMHz: 174 } },
      time: "2023-04-24T00:01:24",
      ram: { usedMB: 1282, totalMB: 62795 },
      swap: { usedMB: 0, totalMB: 31398 },
      emc: { loadPct: 0, freqMHz: 2133 },
      gpu: { loadPct: 0, freqMHz: 0 },
      tempsC: { cpu: 42.593, tboard: 32, soc2: 39.343, tdiode: 33.25, soc0: 39.375, tj: 42.593, soc1: 40.468 },
      powerMW: {
        VDD_GPU_SOC: mw(2399, 2399),
        VDD_CPU_CV: mw(400, 400),
        VIN_SYS_5V0: mw(4032, 4032),
        VDDQ_VDD2_1V8AO: mw(301, 301),
      },
      totalPowerMW: 6831,
    },
  },
  "agx-thor-1.txt": {
    cpus: [14, { loadPct: 1, freqMHz: 972 }],
    sample: {
      engines: { NVENC: { online: true, freqMHz: 0 }, NVENC1: { online: true, freqMHz: 0 }, NVDEC: { online: true, freqMHz: 0 }, NVDEC1: { online: true, freqMHz: 0 }, NVJPG: { online: true, freqMHz: 0 }, VIC: { online: false }, OFA: { online: true, freqMHz: 0 }, PVA0: { online: false }, APE: { online: true, freqMHz: 300 } },
      time: "2026-05-17T10:00:32",
      ram: { usedMB: 4208, totalMB: 125773 },
      swap: { usedMB: 0, totalMB: 2048 },
      emc: { loadPct: 0, freqMHz: 665 },
      gpu: { freqMHz: 0 },
      tempsC: { cpu: 34.468, tj: 34.5, soc012: 33.781, soc345: 34.5 },
      powerMW: { VDD_GPU: mw(0, 0), VDD_CPU_SOC_MSS: mw(4165, 4165), VIN_SYS_5V0: mw(4126, 4126) },
      totalPowerMW: 8291,
    },
  },
  "agx-thor-2.txt": {
    cpus: [14, { loadPct: 0, freqMHz: 972 }],
    sample: {
      engines: { NVENC: { online: true, freqMHz: 0 }, NVENC1: { online: true, freqMHz: 0 }, NVDEC: { online: true, freqMHz: 0 }, NVDEC1: { online: true, freqMHz: 0 }, NVJPG: { online: true, freqMHz: 0 }, VIC: { online: false }, OFA: { online: true, freqMHz: 0 }, PVA0: { online: false }, APE: { online: true, freqMHz: 300 } },
      time: "2026-05-17T10:00:33",
      ram: { usedMB: 4280, totalMB: 125773 },
      swap: { usedMB: 0, totalMB: 2048 },
      emc: { loadPct: 0, freqMHz: 665 },
      gpu: { freqMHz: 0 },
      tempsC: { cpu: 35.25, tj: 36.031, soc012: 36.062, soc345: 34.5 },
      powerMW: { VDD_GPU: mw(0, 0), VDD_CPU_SOC_MSS: mw(4923, 4544), VIN_SYS_5V0: mw(4327, 4227) },
      totalPowerMW: 9250,
    },
  },
  "agx-thor-3.txt": {
    cpus: [14, { loadPct: 9, freqMHz: 972 }],
    sample: {
      engines: { NVENC: { online: true, freqMHz: 0 }, NVENC1: { online: true, freqMHz: 0 }, NVDEC: { online: true, freqMHz: 0 }, NVDEC1: { online: true, freqMHz: 0 }, NVJPG: { online: true, freqMHz: 0 }, VIC: { online: false }, OFA: { online: true, freqMHz: 0 }, PVA0: { online: false }, APE: { online: true, freqMHz: 300 } },
      time: "2026-05-17T10:00:34",
      ram: { usedMB: 4309, totalMB: 125773 },
      swap: { usedMB: 0, totalMB: 2048 },
      emc: { loadPct: 1, freqMHz: 665 },
      gpu: { freqMHz: 0 },
      tempsC: { cpu: 34.468, tj: 34.468, soc012: 33.843, soc345: 34.468 },
      powerMW: { VDD_GPU: mw(0, 0), VDD_CPU_SOC_MSS: mw(4544, 4544), VIN_SYS_5V0: mw(4428, 4294) },
      totalPowerMW: 8972,
    },
  },
  "nano-1.txt": {
    cpus: [4, { loadPct: 5, freqMHz: 1224 }],
    sample: {
      engines: { APE: { online: true, freqMHz: 25 } },
      ram: { usedMB: 1923, totalMB: 3964 },
      swap: { usedMB: 191, totalMB: 1982 },
      emc: { loadPct: 0, freqMHz: 1600 },
      gpu: { loadPct: 0, freqMHz: 76 },
      tempsC: { pll: 37, cpu: 40, gpu: 40, ao: 45, thermal: 40 },
      powerMW: { POM_5V_IN: mw(1750, 1628), POM_5V_GPU: mw(0, 0), POM_5V_CPU: mw(366, 406) },
      totalPowerMW: 1750,
    },
  },
  "orin-nano-1.txt": {
    cpus: [6, { loadPct: 15, freqMHz: 729 }],
    sample: {
      engines: { NVDEC: { online: false }, NVJPG: { online: false }, NVJPG1: { online: false }, VIC: { online: false }, OFA: { online: false }, APE: { online: true, freqMHz: 200 } },
      time: "2024-11-15T08:38:09",
      ram: { usedMB: 6185, totalMB: 7620 },
      swap: { usedMB: 851, totalMB: 3810 },
      emc: { loadPct: 43, freqMHz: 2133 },
      gpu: { loadPct: 63, freqMHz: 621 },
      tempsC: { cpu: 53.968, soc2: 52.437, soc0: 50.75, gpu: 53.343, tj: 53.968, soc1: 51.656 },
      powerMW: { VDD_IN: mw(12479, 12479), VDD_CPU_GPU_CV: mw(4667, 4667), VDD_SOC: mw(2817, 2817) },
      totalPowerMW: 12479,
    },
  },
  "orin-nano-2.txt": {
    cpus: [6, { loadPct: 1, freqMHz: 1420 }],
    sample: {
      time: "2025-06-18T11:25:24",
      ram: { usedMB: 3452, totalMB: 7620 },
      swap: { usedMB: 1518, totalMB: 16384 },
      gpu: { loadPct: 0 },
      tempsC: { cpu: 50.031, soc2: 49.031, soc0: 50, gpu: 49.031, tj: 50.25, soc1: 50.25 },
      powerMW: { VDD_IN: mw(4824, 4824), VDD_CPU_GPU_CV: mw(518, 518), VDD_SOC: mw(1475, 1475) },
      totalPowerMW: 4824,
    },
  },
  "tx1-1.txt": {
    cpus: [4, { loadPct: 17, freqMHz: 408 }],
    sample: {
      engines: { APE: { online: true, freqMHz: 25 } },
      ram: { usedMB: 3468, totalMB: 3983 },
      swap: { usedMB: 873, totalMB: 8192 },
      emc: { loadPct: 1, freqMHz: 408 },
      gpu: { loadPct: 3, freqMHz: 76 },
    },
  },
  "tx1-2.txt": {
    cpus: [4, { loadPct: 17, freqMHz: 1734 }],
    sample: {
      engines: { APE: { online: true, freqMHz: 25 } },
      ram: { usedMB: 3607, totalMB: 3983 },
      swap: { usedMB: 873, totalMB: 8192 },
      emc: { loadPct: 1, freqMHz: 1600 },
      gpu: { loadPct: 39, freqMHz: 76 },
    },
  },
  "tx2-1.txt": {
    cpus: [6, { loadPct: 8, freqMHz: 2016 }],
    sample: {
      engines: { APE: { online: true, freqMHz: 150 } },
      ram: { usedMB: 1873, totalMB: 3830 },
      emc: { loadPct: 0, freqMHz: 1600 },
      gpu: { loadPct: 0, freqMHz: 114 },
      tempsC: { pll: 39, mcpu: 39, tboard: 35, gpu: 37, bcpu: 39, thermal: 38.5, tdiode: 37 },
      powerMW: {
        VDD_SYS_GPU: mw(77, 77),
        VDD_SYS_SOC: mw(539, 539),
        VDD_IN: mw(2930, 3405),
        VDD_SYS_CPU: mw(539, 937),
        VDD_SYS_DDR: mw(727, 758),
      },
      totalPowerMW: 2930,
    },
  },
  "tx2-2.txt": {
    cpus: [6, { loadPct: 44, freqMHz: 1421 }],
    sample: {
      engines: { APE: { online: true, freqMHz: 150 } },
      ram: { usedMB: 3276, totalMB: 7859 },
      swap: { usedMB: 1626, totalMB: 12122 },
      emc: { loadPct: 1, freqMHz: 1866 },
      gpu: { loadPct: 0, freqMHz: 114 },
      tempsC: { pll: 42.5, mcpu: 42.5, tboard: 38, gpu: 39.5, bcpu: 42.5, thermal: 41.3, tdiode: 39.25 },
      powerMW: {
        VDD_SYS_GPU: mw(182, 182),
        VDD_SYS_SOC: mw(730, 730),
        VDD_4V0_WIFI: mw(0, 0),
        VDD_IN: mw(5297, 5297),
        VDD_SYS_CPU: mw(1917, 1917),
        VDD_SYS_DDR: mw(1241, 1241),
      },
      totalPowerMW: 5297,
    },
  },
  "tx2-3.txt": {
    cpus: [6, { loadPct: 0, freqMHz: 350 }],
    sample: {
      engines: { APE: { online: true, freqMHz: 150 } },
      ram: { usedMB: 1004, totalMB: 7852 },
      emc: { loadPct: 17, freqMHz: 40 },
      gpu: { loadPct: 0, freqMHz: 114 },
      tempsC: { pll: 34, mcpu: 34, tboard: 28, gpu: 32, bcpu: 34, thermal: 33.2, tdiode: 30.5 },
      powerMW: {
        VDD_SYS_GPU: mw(153, 153),
        VDD_SYS_SOC: mw(383, 383),
        VDD_4V0_WIFI: mw(0, 0),
        VDD_IN: mw(1876, 1876),
        VDD_SYS_CPU: mw(229, 229),
        VDD_SYS_DDR: mw(134, 134),
      },
      totalPowerMW: 1876,
    },
  },
  "tx2-4.txt": {
    cpus: [6, { loadPct: 1, freqMHz: 346 }],
    sample: {
      engines: { APE: { online: true, freqMHz: 150 } },
      ram: { usedMB: 1004, totalMB: 7852 },
      emc: { loadPct: 17, freqMHz: 40 },
      gpu: { loadPct: 0, freqMHz: 114 },
      tempsC: { pll: 34, mcpu: 34, tboard: 28, gpu: 32, bcpu: 34, thermal: 33.2, tdiode: 30.25 },
      powerMW: {
        VDD_SYS_GPU: mw(153, 153),
        VDD_SYS_SOC: mw(383, 383),
        VDD_4V0_WIFI: mw(0, 0),
        VDD_IN: mw(1876, 1876),
        VDD_SYS_CPU: mw(229, 229),
        VDD_SYS_DDR: mw(115, 124),
      },
      totalPowerMW: 1876,
    },
  },
  "tx2-5.txt": {
    cpus: [6, { loadPct: 0, freqMHz: 346 }],
    sample: {
      engines: { APE: { online: true, freqMHz: 150 } },
      ram: { usedMB: 1004, totalMB: 7852 },
      emc: { loadPct: 17, freqMHz: 40 },
      gpu: { loadPct: 0, freqMHz: 114 },
      tempsC: { pll: 34, mcpu: 34, tboard: 28, gpu: 32, bcpu: 34, thermal: 33.2, tdiode: 30.5 },
      powerMW: {
        VDD_SYS_GPU: mw(153, 153),
        VDD_SYS_SOC: mw(383, 383),
        VDD_4V0_WIFI: mw(0, 0),
        VDD_IN: mw(1876, 1876),
        VDD_SYS_CPU: mw(229, 229),
        VDD_SYS_DDR: mw(134, 127),
      },
      totalPowerMW: 1876,
    },
  },
  "xavier-nx-1.txt": {
    cpus: [6, { loadPct: 47, freqMHz: 1420 }],
    sample: {
      engines: { APE: { online: true, freqMHz: 150 } },
      ram: { usedMB: 5246, totalMB: 7771 },
      swap: { usedMB: 983, totalMB: 20269 },
      emc: { loadPct: 2, freqMHz: 1600 },
      gpu: { loadPct: 0, freqMHz: 1109 },
      tempsC: { ao: 29, gpu: 31.5, aux: 30, cpu: 33.5, thermal: 31.35 },
      powerMW: { VDD_IN: mw(6140, 5510), VDD_CPU_GPU_CV: mw(2706, 2119), VDD_SOC: mw(1074, 1051) },
      totalPowerMW: 6140,
    },
  },
  "xavier-nx-2.txt": {
    cpus: [6, { loadPct: 23, freqMHz: 1397 }],
    sample: {
      engines: { VIC: { online: true, freqMHz: 115 }, APE: { online: true, freqMHz: 150 } },
      time: "2024-07-09T13:31:31",
      ram: { usedMB: 3168, totalMB: 6851 },
      swap: { usedMB: 161, totalMB: 3426 },
      emc: { loadPct: 2, freqMHz: 204 },
      gpu: { loadPct: 0, freqMHz: 114 },
      tempsC: { aux: 45, cpu: 46.5, thermal: 45.6, ao: 45, gpu: 45.5 },
      powerMW: { VDD_IN: mw(2763, 2846), VDD_CPU_GPU_CV: mw(650, 670), VDD_SOC: mw(650, 711) },
      totalPowerMW: 2763,
    },
  },
};

describe.skipIf(fixturesMissing("tegrastats fixtures"))("tegrastats fixtures", () => {
  it("has a case for every fixture file", () => {
    expect(uncoveredFixtures("tegrastats", CASES)).toEqual([]);
  });

  it.each(Object.entries(CASES))("%s", (file, expected) => {
    const { sample: parsed, unread } = readTegrastatsLine(readFixture("tegrastats", file).trim());
    expect(unread).toEqual([]);
    expect(TelemetrySampleSchema.parse(parsed)).toStrictEqual(parsed);
    const { cpus, ...rest } = parsed;
    expect(cpus).toHaveLength(expected.cpus[0]);
    expect(cpus?.[0]).toStrictEqual(expected.cpus[1]);
    expect(rest).toStrictEqual(expected.sample);
  });

  it("applies R28's shared frequency to every core (tx1-2)", () => {
    expect(parseTegrastatsLine(readFixture("tegrastats", "tx1-2.txt")).cpus).toStrictEqual([
      { loadPct: 17, freqMHz: 1734 },
      { loadPct: 11, freqMHz: 1734 },
      { loadPct: 65, freqMHz: 1734 },
      { loadPct: 0, freqMHz: 1734 },
    ]);
  });

  it("keeps every core's own frequency (agx-thor-2)", () => {
    const cpus = parseTegrastatsLine(readFixture("tegrastats", "agx-thor-2.txt")).cpus;
    expect(cpus?.map((cpu) => cpu.freqMHz)).toEqual([972, 972, 972, 972, 972, 972, 972, 972, 2601, 2601, 972, 972, 972, 972]);
  });
});

describe("parseTegrastatsLine", () => {
  it("reads offline cores, the first of a GPU frequency list and irregular spacing", () => {
    const line = "RAM  512/3964MB   (lfb 2x2MB) CPU [off,  10%@102,off,3%@1479]   GR3D_FREQ 5%@[305,305]  EMC_FREQ 1%@1600";
    expect(parseTegrastatsLine(line)).toStrictEqual({
      ram: { usedMB: 512, totalMB: 3964 },
      cpus: [{ online: false }, { loadPct: 10, freqMHz: 102 }, { online: false }, { loadPct: 3, freqMHz: 1479 }],
      gpu: { loadPct: 5, freqMHz: 305 },
      emc: { loadPct: 1, freqMHz: 1600 },
    });
  });

  it("leaves freqMHz out for cores that print none", () => {
    expect(parseTegrastatsLine("RAM 1/2MB cpu [17%,off]").cpus).toStrictEqual([{ loadPct: 17 }, { online: false }]);
  });

  it("takes the current value of a JetPack 7 temperature and skips offline and placeholder sensors", () => {
    const sample = parseTegrastatsLine("RAM 1/2MB cpu@45.437C/45.812C GPU@-256C PMIC@100C Tboard@32C");
    expect(sample.tempsC).toStrictEqual({ cpu: 45.437, tboard: 32 });
  });

  it("uses VDD_IN as the total when present, else the sum of connected rails", () => {
    expect(parseTegrastatsLine("RAM 1/2MB VDD_CPU 100mW/90mW VDD_IN 900mW/800mW").totalPowerMW).toBe(900);
    expect(parseTegrastatsLine("RAM 1/2MB VDD_A 100/90 NC 0/0 VDD_NC_X 5/5 VDD_B 50/40").powerMW).toStrictEqual({
      VDD_A: { now: 100, avg: 90 },
      VDD_B: { now: 50, avg: 40 },
    });
    expect(parseTegrastatsLine("RAM 1/2MB VDD_A 100/90 VDD_B 50/40").totalPowerMW).toBe(150);
  });

  it("reads the date prefix only in MM-DD-YYYY HH:MM:SS form", () => {
    expect(parseTegrastatsLine("09-19-2026 13:33:02 RAM 1/2MB").time).toBe("2026-09-19T13:33:02");
    expect(parseTegrastatsLine("RAM 1/2MB").time).toBeUndefined();
  });

  it.each([
    ["an unrelated line", "Hello, world"],
    ["an empty line", ""],
    ["a warning line", "NVPM WARN: fan mode is not set!"],
  ])("throws on %s: not a tegrastats line", (_, line) => {
    expect(() => readTegrastatsLine(line)).toThrow(/no RAM field/);
  });

  it.each([
    ["a broken RAM value", "RAM lots SWAP 1/2MB cpu@40C", ["RAM lots"], { swap: { usedMB: 1, totalMB: 2 }, tempsC: { cpu: 40 } }],
    ["a broken CPU entry", "RAM 1/2MB CPU [12%@x] GR3D_FREQ 3%@76", ["CPU [12%@x]"], { ram: { usedMB: 1, totalMB: 2 }, gpu: { loadPct: 3, freqMHz: 76 } }],
    ["a broken GPU value", "RAM 1/2MB GR3D_FREQ busy APE 25", ["GR3D_FREQ busy"], { ram: { usedMB: 1, totalMB: 2 }, engines: { APE: { online: true, freqMHz: 25 } } }],
    ["a field without value", "RAM 1/2MB VDD_IN 5/5 CPU", ["CPU"], { ram: { usedMB: 1, totalMB: 2 }, powerMW: { VDD_IN: { now: 5, avg: 5 } }, totalPowerMW: 5 }],
    ["a name followed by another field", "RAM 1/2MB EMC_FREQ GR3D_FREQ 1%@2", ["EMC_FREQ"], { ram: { usedMB: 1, totalMB: 2 }, gpu: { loadPct: 1, freqMHz: 2 } }],
    ["an unknown token", "RAM 1/2MB XYZ_NEW 7 cpu@40C", ["XYZ_NEW", "7"], { ram: { usedMB: 1, totalMB: 2 }, tempsC: { cpu: 40 } }],
  ] as const)("keeps the rest of a line with %s, naming what it could not read", (_, line, unread, sample) => {
    expect(readTegrastatsLine(line)).toStrictEqual({ sample, unread });
  });
});

// Lines written from the published formats of forms no real fixture above has.
describe("tegrastats forms from the published formats", () => {
  it("reads AGX Xavier's JetPack 4 rails named like fields (CPU, GPU, SOC, CV, VDDRQ, SYS5V) as rails", () => {
    // The shape of jtop's tegrastats emulator for AGX Xavier, run as root.
    const line =
      "RAM 408/15823MB (lfb 3702x4MB) SWAP 0/7911MB (cached 0MB) CPU [3%@2265,0%@2265,off,off,1%@2265,0%@2265,0%@2265,2%@2265] " +
      "EMC_FREQ 0%@2133 GR3D_FREQ 12%@1377 APE 150 MTS fg 0% bg 0% AO@26.5C GPU@28C iwlwifi@30C Tdiode@31.25C PMIC@100C " +
      "AUX@27C CPU@28C thermal@27.45C Tboard@27C GPU 1155/1155 CPU 385/385 SOC 2502/2502 CV 0/0 VDDRQ 192/192 SYS5V 2692/2692";
    const { sample, unread } = readTegrastatsLine(line);
    expect(unread).toEqual([]);
    expect(sample.cpus).toHaveLength(8);
    expect(sample.cpus?.[2]).toStrictEqual({ online: false });
    expect(sample.gpu).toStrictEqual({ loadPct: 12, freqMHz: 1377 });
    expect(sample.emc).toStrictEqual({ loadPct: 0, freqMHz: 2133 });
    expect(sample.engines).toStrictEqual({ APE: { online: true, freqMHz: 150 } });
    expect(sample.tempsC).toStrictEqual({ ao: 26.5, gpu: 28, iwlwifi: 30, tdiode: 31.25, aux: 27, cpu: 28, thermal: 27.45, tboard: 27 });
    expect(sample.powerMW).toStrictEqual({
      GPU: { now: 1155, avg: 1155 },
      CPU: { now: 385, avg: 385 },
      SOC: { now: 2502, avg: 2502 },
      CV: { now: 0, avg: 0 },
      VDDRQ: { now: 192, avg: 192 },
      SYS5V: { now: 2692, avg: 2692 },
    });
    expect(sample.totalPowerMW).toBe(1155 + 385 + 2502 + 0 + 192 + 2692);
  });

  it("reads tegrastats run without root: no EMC, GPU load without frequency, no engines", () => {
    const line =
      "06-18-2025 11:25:24 RAM 3452/7620MB (lfb 25x4MB) SWAP 1518/16384MB (cached 174MB) CPU [1%@1420,2%@1420] " +
      "GR3D_FREQ 7% cpu@50.031C VDD_IN 4824mW/4824mW";
    expect(readTegrastatsLine(line)).toStrictEqual({
      sample: {
        time: "2025-06-18T11:25:24",
        ram: { usedMB: 3452, totalMB: 7620 },
        swap: { usedMB: 1518, totalMB: 16384 },
        cpus: [{ loadPct: 1, freqMHz: 1420 }, { loadPct: 2, freqMHz: 1420 }],
        gpu: { loadPct: 7 },
        tempsC: { cpu: 50.031 },
        powerMW: { VDD_IN: { now: 4824, avg: 4824 } },
        totalPowerMW: 4824,
      },
      unread: [],
    });
  });

  it("leaves EMC out of a line run without root on JetPack 4 and 5, whose EMC_FREQ 0% is a placeholder", () => {
    // Jetson Xavier NX, JetPack 4.6, under full CPU and GPU load, tegrastats run without root. jtop's
    // tegrastats emulator (rbonghi/jetson_stats tests/tegrastats) prints the same "EMC_FREQ 0%" in every
    // non-root line of Xavier, Nano and JetPack 5 Orin, and EMC_FREQ N%@MHz in every root line.
    const line =
      "RAM 1802/7772MB (lfb 357x4MB) SWAP 0/3886MB (cached 0MB) CPU [100%@1420,100%@1420,100%@1420,100%@1420,100%@1420,100%@1420] " +
      "EMC_FREQ 0% GR3D_FREQ 99% AO@42.5C GPU@44.5C PMIC@100C AUX@43.5C CPU@44.5C thermal@44.25C VDD_IN 14703/14683 VDD_CPU_GPU_CV 10874/10893 VDD_SOC 1405/1405";
    const { sample, unread } = readTegrastatsLine(line);
    expect(unread).toEqual([]);
    expect(sample.emc).toBeUndefined();
    expect(sample.gpu).toStrictEqual({ loadPct: 99 });
    expect(sample.cpus).toHaveLength(6);
    expect(sample.totalPowerMW).toBe(14703);
    // R28's "EMC 0%" is the same placeholder; a clock alone (JetPack 7's "@665") is a reading.
    expect(readTegrastatsLine("RAM 1/2MB EMC 0% GR3D 5%").sample).toStrictEqual({ ram: { usedMB: 1, totalMB: 2 }, gpu: { loadPct: 5 } });
    expect(readTegrastatsLine("RAM 1/2MB EMC_FREQ @665").sample.emc).toStrictEqual({ freqMHz: 665 });
  });

  it("reads every engine form: off, clock only, load at clock, and JetPack 7's NAME_FREQ @clock", () => {
    const line =
      "RAM 1/2MB NVENC 716 NVDEC 45%@716 NVJPG off NVJPG1 off VIC_FREQ 729 OFA_FREQ @0 NVDLA0 off NVDLA1 1600 PVA0_FREQ off " +
      "APE 174 NVENC1_FREQ @1100 NVDEC1_FREQ @600";
    expect(readTegrastatsLine(line).sample.engines).toStrictEqual({
      NVENC: { online: true, freqMHz: 716 },
      NVDEC: { online: true, loadPct: 45, freqMHz: 716 },
      NVJPG: { online: false },
      NVJPG1: { online: false },
      VIC: { online: true, freqMHz: 729 },
      OFA: { online: true, freqMHz: 0 },
      NVDLA0: { online: false },
      NVDLA1: { online: true, freqMHz: 1600 },
      PVA0: { online: false },
      APE: { online: true, freqMHz: 174 },
      NVENC1: { online: true, freqMHz: 1100 },
      NVDEC1: { online: true, freqMHz: 600 },
    });
  });

  it("reads a JetPack 7 line: three-value rails, current/max temperatures, engines", () => {
    const line =
      "05-17-2026 10:00:32 RAM 4208/125773MB (lfb 31x4MB) SWAP 0/2048MB (cached 0MB) CPU [1%@972,off] EMC_FREQ 0%@665 " +
      "GR3D_FREQ 12%@[1300,1300] NVENC0_FREQ @0 VIC off cpu@45.437C/45.812C tj@46C/47C VDD_GPU 10mW/9mW/12mW VIN_SYS_5V0 4126mW/4126mW/4200mW";
    expect(readTegrastatsLine(line)).toStrictEqual({
      sample: {
        time: "2026-05-17T10:00:32",
        ram: { usedMB: 4208, totalMB: 125773 },
        swap: { usedMB: 0, totalMB: 2048 },
        cpus: [{ loadPct: 1, freqMHz: 972 }, { online: false }],
        emc: { loadPct: 0, freqMHz: 665 },
        gpu: { loadPct: 12, freqMHz: 1300 },
        engines: { NVENC: { online: true, freqMHz: 0 }, VIC: { online: false } },
        tempsC: { cpu: 45.437, tj: 46 },
        powerMW: { VDD_GPU: { now: 10, avg: 9, max: 12 }, VIN_SYS_5V0: { now: 4126, avg: 4126, max: 4200 } },
        totalPowerMW: 4136,
      },
      unread: [],
    });
  });

  it("keys a zone as sysfs does: Tboard_tegra-style names and upper-case labels", () => {
    expect(parseTegrastatsLine("RAM 1/2MB Tboard@32C CPU@40C SOC0@39C").tempsC).toStrictEqual({ tboard: 32, cpu: 40, soc0: 39 });
  });
});
