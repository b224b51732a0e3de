import { ClocksStatusSchema, type ClocksStatus, type CpuClock } from "@jetson/protocol";
import { describe, expect, it } from "vitest";
import { fixturesMissing, readFixture, uncoveredFixtures } from "./fixtures.js";
import { parseJetsonClocksShow } from "./jetson-clocks.js";

/** One CpuClock per current frequency, cpu numbers from 0; all online unless listed in `offline`. */
function cpus(governor: string, minKHz: number, maxKHz: number, curKHz: number[], offline: number[] = []): CpuClock[] {
  return curKHz.map((cur, cpu) => ({ cpu, online: !offline.includes(cpu), governor, minKHz, maxKHz, curKHz: cur }));
}

const CASES: Record<string, ClocksStatus> = {
  // JetPack 5.1: DLA/PVA lines, trailing spaces, cpu10 listed before cpu2, lower-case "control"
  "agx-orin-1.txt": {
    soc: "tegra234",
    machine: "Jetson AGX Orin",
    cpus: cpus("schedutil", 729600, 2201600, [
      2201600, 2201600, 2201600, 1190400, 2201600, 2201600, 2188800, 2112000, 2201600, 1190400, 1113600, 1113600,
    ]),
    gpu: { minHz: 306000000, maxHz: 1300500000, curHz: 306000000 },
    emc: { minHz: 204000000, maxHz: 3199000000, curHz: 2133000000 },
    fan: { control: "active", pwm: 55 },
    powerMode: "MAXN",
    lockedAtMax: false,
  },
  // JetPack 6 in a snap: "Failed to retrieve unit state" noise, Active GPU TPCs, no power mode line
  "orin-nano-1.txt": {
    soc: "tegra234",
    machine: "NVIDIA Jetson Orin Nano Developer Kit",
    cpus: cpus("ondemand", 729600, 1510400, [960000, 729600, 729600, 960000, 729600, 729600]),
    gpu: { minHz: 306000000, maxHz: 624750000, curHz: 306000000, activeTpcs: 4 },
    emc: { minHz: 204000000, maxHz: 2133000000, curHz: 665600000 },
    fan: { control: "kernel", pwm: 88 },
    lockedAtMax: false,
  },
  // L4T 28 jetson_clocks.sh: "Gonvernor=", no Online= (taken from "Online CPUs: 0-3"), clocks locked
  "tx1-1.txt": {
    soc: "tegra210",
    machine: "jetson_tx1",
    cpus: cpus("interactive", 1734000, 1734000, [1734000, 1734000, 1734000, 1734000]),
    gpu: { minHz: 998400000, maxHz: 998400000, curHz: 998400000 },
    emc: { minHz: 12750000, maxHz: 1600000000, curHz: 1600000000 },
    fan: { pwm: 255 },
    lockedAtMax: true,
  },
  // Denver cores 1 and 2 offline in MAXP_CORE_ARM
  "tx2-1.txt": {
    soc: "tegra186",
    machine: "quill",
    cpus: cpus("schedutil", 345600, 2035200, [2035200, 1113600, 1113600, 1881600, 2035200, 2035200], [1, 2]),
    gpu: { minHz: 114750000, maxHz: 1134750000, curHz: 114750000 },
    emc: { minHz: 40800000, maxHz: 1600000000, curHz: 1600000000 },
    fan: { pwm: 0 },
    powerMode: "MAXP_CORE_ARM",
    lockedAtMax: false,
  },
};

describe.skipIf(fixturesMissing("jetson_clocks fixtures"))("jetson_clocks --show fixtures", () => {
  it("has a case for every fixture file", () => {
    expect(uncoveredFixtures("jetson_clocks-show", CASES)).toEqual([]);
  });

  it.each(Object.entries(CASES))("%s", (file, expected) => {
    const status = parseJetsonClocksShow(readFixture("jetson_clocks-show", file));
    expect(status).toStrictEqual(expected);
    expect(ClocksStatusSchema.parse(status)).toStrictEqual(status);
  });
});

describe("parseJetsonClocksShow", () => {
  // Built from jetson.md's description of JetPack 7 (no published sample): the online list only, no Online= per cpu.
  const JETPACK7 = [
    "SOC family:tegra264  Machine:NVIDIA Jetson AGX Thor Developer Kit",
    "Online CPUs: 0-1,3",
    "cpu0: Governor=schedutil MinFreq=2601000 MaxFreq=2601000 CurrentFreq=2601000 IdleStates: C1=1",
    "cpu1: Governor=schedutil MinFreq=2601000 MaxFreq=2601000 CurrentFreq=2601000 IdleStates: C1=1",
    "cpu2: Governor=schedutil MinFreq=972000 MaxFreq=2601000 CurrentFreq=972000 IdleStates: C1=1",
    "cpu3: Governor=schedutil MinFreq=2601000 MaxFreq=2601000 CurrentFreq=2601000 IdleStates: C1=1",
    "GPU MinFreq=1575000000 MaxFreq=1575000000 CurrentFreq=1575000000",
    "EMC MinFreq=665000000 MaxFreq=4266000000 CurrentFreq=4266000000 FreqOverride=1",
    "NV Power Mode: MAXN",
  ].join("\n");

  it("takes online from the Online CPUs list when cpu lines lack Online=", () => {
    const status = parseJetsonClocksShow(JETPACK7);
    expect(status.cpus.map((cpu) => [cpu.cpu, cpu.online])).toEqual([
      [0, true],
      [1, true],
      [2, false],
      [3, true],
    ]);
    expect(status.soc).toBe("tegra264");
  });

  it("counts only online CPUs for lockedAtMax", () => {
    expect(parseJetsonClocksShow(JETPACK7).lockedAtMax).toBe(true);
  });

  it("is not locked when the EMC runs below its maximum or the GPU may scale", () => {
    expect(parseJetsonClocksShow(JETPACK7.replace("CurrentFreq=4266000000", "CurrentFreq=665000000")).lockedAtMax).toBe(false);
    expect(parseJetsonClocksShow(JETPACK7.replace("GPU MinFreq=1575000000", "GPU MinFreq=306000000")).lockedAtMax).toBe(false);
  });

  it("reads the fan from JetPack 4.6 Nano's upper-case line", () => {
    const text = "SOC family:tegra210  Machine:NVIDIA Jetson Nano Developer Kit\nOnline CPUs: 0-3\ncpu0: Online=1 Governor=schedutil MinFreq=102000 MaxFreq=1479000 CurrentFreq=1479000 IdleStates: WFI=1 c7=1 \nFan: PWM=34\n";
    expect(parseJetsonClocksShow(text).fan?.pwm).toBe(34);
  });

  it("throws on text that is not jetson_clocks output", () => {
    expect(() => parseJetsonClocksShow("jetson_clocks: command not found\n")).toThrow(/no SOC family, cpu or GPU lines/);
  });
});
