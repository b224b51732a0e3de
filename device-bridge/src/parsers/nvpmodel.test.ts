import { CurrentPowerModeSchema, PowerModeChangeSchema, PowerModeTableSchema, type PowerMode } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { fixturesMissing, readFixture, uncoveredFixtures } from "./fixtures.js";
import { parseNvpmodelConf, parseNvpmodelQuery, parseNvpmodelSetOutput } from "./nvpmodel.js";

const QUERY_CASES: Record<string, Record<string, { id: number; name: string }>> = {
  "nvpmodel-q": {
    "agx-orin-1.txt": { id: 2, name: "MODE_30W" },
    "orin-nano-1.txt": { id: 0, name: "15W" },
  },
  // NVPM WARN / "NV Fan Mode" lines before, PARAM lines after the id
  "nvpmodel-q-verbose": {
    "nano-1.txt": { id: 0, name: "MAXN" },
    "tx2-1.txt": { id: 3, name: "MAXP_CORE_ARM" },
    "xavier-nx-1.txt": { id: 2, name: "MODE_15W_6CORE" },
  },
};

interface TableCase {
  defaultId: number;
  /** [id, name, cores online, TPC_PG_MASK] of every mode, in file order. */
  modes: [number, string, number, number | undefined][];
  /** One mode in full. */
  sample: PowerMode;
}

const online = (n: number, of: number) => Object.fromEntries(Array.from({ length: of }, (_, i) => [String(i), i < n]));

const TABLE_CASES: Record<string, TableCase> = {
  "agx-orin-1.txt": {
    defaultId: 2, // "DEFAULT=MODE_30W(2)"
    modes: [
      [0, "MAXN", 12, 0],
      [1, "MODE_15W", 4, 248],
      [2, "MODE_30W", 8, 240],
      [3, "MODE_50W", 12, 0],
    ],
    sample: {
      id: 1,
      name: "MODE_15W",
      params: {
        cpuOnline: online(4, 12),
        cpuFreqs: { CPU_A78_0: { minKHz: 729600, maxKHz: 1113600 } },
        gpuFreq: { minHz: 0, maxHz: 420750000 },
        tpcPgMask: 248,
        emcMaxHz: 2133000000,
        engineMaxHz: {
          DLA0_CORE: 614400000,
          DLA1_CORE: 614400000,
          DLA0_FALCON: 294400000,
          DLA1_FALCON: 294400000,
          PVA0_VPS: 307200000,
          PVA0_AXI: 217600000,
        },
      },
    },
  },
  "agx-xavier-1.txt": {
    defaultId: 2,
    modes: [
      [0, "MAXN", 8, 0],
      [1, "MODE_10W", 2, 5],
      [2, "MODE_15W", 4, 0],
      [3, "MODE_30W_ALL", 8, 0],
      [4, "MODE_30W_6CORE", 6, 0],
      [5, "MODE_30W_4CORE", 4, 0],
      [6, "MODE_30W_2CORE", 2, 0],
    ],
    sample: {
      id: 0,
      name: "MAXN",
      params: {
        cpuOnline: online(8, 8),
        cpuFreqs: {
          CPU_DENVER_0: { minKHz: 1200000, maxKHz: "max" },
          CPU_DENVER_1: { minKHz: 1200000, maxKHz: "max" },
          CPU_DENVER_2: { minKHz: 1200000, maxKHz: "max" },
          CPU_DENVER_3: { minKHz: 1200000, maxKHz: "max" },
        },
        gpuFreq: { minHz: 318750000, maxHz: "max" },
        tpcPgMask: 0,
        // EMC MAX_FREQ 0: no cap.
        emcMaxHz: "max",
        engineMaxHz: { DLA_CORE: "max", DLA_FALCON: "max", PVA_VPS: "max", PVA_CORE: "max", CVNAS: "max" },
      },
    },
  },
  "nano-1.txt": {
    defaultId: 0,
    modes: [
      [0, "MAXN", 4, undefined],
      [1, "5W", 2, undefined],
    ],
    sample: {
      id: 1,
      name: "5W",
      params: {
        cpuOnline: online(2, 4),
        cpuFreqs: { CPU_A57: { minKHz: 0, maxKHz: 918000 } },
        gpuFreq: { minHz: 0, maxHz: 640000000 },
        emcMaxHz: 1600000000,
      },
    },
  },
};

const SET_CASES: Record<string, ReturnType<typeof parseNvpmodelSetOutput>> = {
  // The "yes" line is the user's answer echoed by the terminal.
  "agx-orin-1.txt": { rebootRequired: true, rebootPrompted: true, rebooting: true, errors: [] },
};

describe.skipIf(fixturesMissing("nvpmodel fixtures"))("nvpmodel fixtures", () => {
  for (const [kind, cases] of Object.entries(QUERY_CASES)) {
    describe(kind, () => {
      it("has a case for every fixture file", () => expect(uncoveredFixtures(kind, cases)).toEqual([]));
      it.each(Object.entries(cases))("%s", (file, expected) => {
        const mode = parseNvpmodelQuery(readFixture(kind, file));
        expect(mode).toStrictEqual(expected);
        expect(CurrentPowerModeSchema.parse(mode)).toStrictEqual(mode);
      });
    });
  }

  describe("nvpmodel-p-verbose", () => {
    it("has a case for every fixture file", () => {
      expect(uncoveredFixtures("nvpmodel-p-verbose", TABLE_CASES)).toEqual([]);
    });
    it.each(Object.entries(TABLE_CASES))("%s", (file, expected) => {
      const table = parseNvpmodelConf(readFixture("nvpmodel-p-verbose", file));
      expect(PowerModeTableSchema.parse(table)).toStrictEqual(table);
      expect(table.defaultId).toBe(expected.defaultId);
      expect(
        table.modes.map((m) => [m.id, m.name, Object.values(m.params.cpuOnline ?? {}).filter(Boolean).length, m.params.tpcPgMask]),
      ).toEqual(expected.modes);
      expect(table.modes.find((m) => m.id === expected.sample.id)).toStrictEqual(expected.sample);
    });
  });

  describe("nvpmodel-m", () => {
    it("has a case for every fixture file", () => expect(uncoveredFixtures("nvpmodel-m", SET_CASES)).toEqual([]));
    it.each(Object.entries(SET_CASES))("%s", (file, expected) => {
      const change = parseNvpmodelSetOutput(readFixture("nvpmodel-m", file));
      expect(change).toStrictEqual(expected);
      expect(PowerModeChangeSchema.parse(change)).toStrictEqual(change);
    });
  });
});

// The shape of /etc/nvpmodel.conf (Orin Nano Super values); no published file is in the fixtures.
const CONF = `
# nvpmodel configuration
< PARAM TYPE=FILE NAME=CPU_ONLINE >
CORE_0 /sys/devices/system/cpu/cpu0/online
CORE_1 /sys/devices/system/cpu/cpu1/online

< PARAM TYPE=CLOCK NAME=GPU >
MAX_FREQ /sys/devices/gpu.0/devfreq/17000000.ga10b/max_freq

###########################
# POWER_MODEL DEFINITIONS #
###########################

< POWER_MODEL ID=0 NAME=15W >
CPU_ONLINE CORE_0 1
CPU_ONLINE CORE_1 1
TPC_POWER_GATING TPC_PG_MASK 2
CPU_A78_0 MIN_FREQ 729600
CPU_A78_0 MAX_FREQ 1497600
GPU MAX_FREQ 612000000
EMC MAX_FREQ 2133000000

< POWER_MODEL ID=2 NAME=MAXN_SUPER >
CPU_ONLINE CORE_0 1
CPU_ONLINE CORE_1 0
CPU_A78_0 MAX_FREQ -1
GPU MIN_FREQ 0
GPU MAX_FREQ -1

< PM_CONFIG DEFAULT=2 >
`;

describe("parseNvpmodelConf", () => {
  it("reads /etc/nvpmodel.conf blocks, skipping PARAM definitions and settings it does not keep", () => {
    expect(parseNvpmodelConf(CONF)).toStrictEqual({
      defaultId: 2,
      modes: [
        {
          id: 0,
          name: "15W",
          params: {
            cpuOnline: { "0": true, "1": true },
            cpuFreqs: { CPU_A78_0: { minKHz: 729600, maxKHz: 1497600 } },
            gpuFreq: { maxHz: 612000000 },
            tpcPgMask: 2,
            emcMaxHz: 2133000000,
          },
        },
        {
          id: 2,
          name: "MAXN_SUPER",
          params: {
            cpuOnline: { "0": true, "1": false },
            cpuFreqs: { CPU_A78_0: { maxKHz: "max" } },
            gpuFreq: { minHz: 0, maxHz: "max" },
          },
        },
      ],
    });
  });

  it("leaves defaultId out when no PM_CONFIG line states it", () => {
    expect(parseNvpmodelConf("< POWER_MODEL ID=1 NAME=5W >\nCPU_ONLINE CORE_0 1\n")).toStrictEqual({
      modes: [{ id: 1, name: "5W", params: { cpuOnline: { "0": true } } }],
    });
  });

  it("throws on text without modes and on a clock that is not a frequency", () => {
    expect(() => parseNvpmodelConf("NV Power Mode: MAXN\n0\n")).toThrow(/no POWER_MODEL/);
    expect(() => parseNvpmodelConf("< POWER_MODEL ID=0 NAME=X >\nGPU MAX_FREQ fast\n")).toThrow(
      /mode 0 GPU MAX_FREQ is not a frequency: fast/,
    );
  });
});

describe("parseNvpmodelQuery", () => {
  it("skips warnings between the name and the id", () => {
    expect(parseNvpmodelQuery("NV Power Mode: MAXN_SUPER\nNVPM WARN: fan mode is not set!\n2\n")).toStrictEqual({
      id: 2,
      name: "MAXN_SUPER",
    });
  });

  it("throws without the mode line or without an id after it", () => {
    expect(() => parseNvpmodelQuery("nvpmodel: command not found\n")).toThrow(/no 'NV Power Mode:' line/);
    expect(() => parseNvpmodelQuery("0\nNV Power Mode: MAXN\n")).toThrow(/no mode id after 'NV Power Mode: MAXN'/);
  });
});

describe("parseNvpmodelSetOutput", () => {
  it("reports a switch that needed no reboot, and nvpmodel's errors", () => {
    expect(parseNvpmodelSetOutput("")).toStrictEqual({
      rebootRequired: false,
      rebootPrompted: false,
      rebooting: false,
      errors: [],
    });
    expect(parseNvpmodelSetOutput("NVPM ERROR: Invalid mode id 9\n").errors).toEqual(["Invalid mode id 9"]);
  });
});
