import { describe, expect, it } from "vitest";
import { BOARD_FACTS } from "./board-facts.js";
import { SIM_BOARD_IDS, SIM_BOARDS } from "./boards.js";
import { GENERATIONS } from "./generations.js";
import { cpuCount, simLayout } from "./layout.js";
import { nvpmodelConf, nvTegraRelease } from "./render.js";
import { NO_CAP } from "./types.js";

const ascending = (values: number[]) => values.every((v, i) => i === 0 || v > (values[i - 1] ?? 0));

describe.each(SIM_BOARD_IDS)("board table: %s", (id) => {
  const board = SIM_BOARDS[id];
  const facts = BOARD_FACTS[id];
  const generation = GENERATIONS[board.generation];

  it("matches the real board's identity, cores, rails, zones and modes", () => {
    expect(board.compatible.at(-1)).toBe(`nvidia,${facts.soc}`);
    expect(cpuCount(board)).toBe(facts.cpus);
    expect(board.cpu.clusters.flatMap((c) => c.cpus)).toEqual([...Array(facts.cpus).keys()]);
    expect(board.rails.map((r) => r.label)).toEqual(facts.sysfsRails);
    expect(board.rails.filter((r) => !r.hiddenFromTegrastats).map((r) => r.label)).toEqual(facts.tegrastatsRails);
    expect(board.thermalZones.map((z) => z.type)).toEqual(facts.thermalZones);
    expect(board.gpu.ofName).toBe(facts.gpuNode);
    for (const [modeId, name] of Object.entries(facts.modes)) {
      expect(board.modes.find((m) => m.id === Number(modeId))?.name).toBe(name);
    }
    expect(board.defaultMode).toBe(facts.defaultMode);
    expect(generation.meminfoNvMap).toBe(facts.hasNvMap);
  });

  it("has ascending clock tables that hold every mode's caps", () => {
    const { freqsKHz } = board.cpu;
    const { freqsHz } = board.gpu;
    expect(ascending(freqsKHz) && ascending(freqsHz)).toBe(true);
    for (const mode of board.modes) {
      if (mode.cpuMaxKHz !== NO_CAP) expect(mode.cpuMaxKHz).toBeLessThanOrEqual(freqsKHz.at(-1) ?? 0);
      if (mode.gpuMaxHz !== NO_CAP) expect(mode.gpuMaxHz).toBeLessThanOrEqual(freqsHz.at(-1) ?? 0);
      expect(mode.onlineCpus).toBeGreaterThan(0);
      expect(mode.onlineCpus).toBeLessThanOrEqual(facts.cpus);
    }
  });

  it("prints every thermal zone tegrastats knows, by its label", () => {
    const labels = board.thermalZones.map((z) => z.type.split("-")[0]);
    expect([...board.tegrastats.tempOrder].sort()).toEqual([...labels].sort());
  });

  it("renders nv_tegra_release in its JetPack's format", () => {
    const text = nvTegraRelease(board, generation);
    const match = /^# R(\d+) \(release\), REVISION: ([\d.]+)/.exec(text);
    expect(match?.[1]).toBe(String(board.l4t.major));
    expect(text.trimEnd().split("\n")).toHaveLength(facts.releaseLines);
  });

  it("renders nvpmodel.conf with a POWER_MODEL block per mode and the default", () => {
    const conf = nvpmodelConf(board, simLayout(board, generation));
    for (const mode of board.modes) expect(conf).toContain(`< POWER_MODEL ID=${mode.id} NAME=${mode.name} >`);
    expect(conf).toContain(`< PM_CONFIG DEFAULT=${board.defaultMode} >`);
    expect(conf).toMatch(/^< PARAM TYPE=FILE NAME=CPU_ONLINE >\nCORE_0 \/sys\/devices\/system\/cpu\/cpu0\/online$/m);
    expect(conf).toMatch(/^CPU_ONLINE CORE_0 1$/m);
    expect(conf).toMatch(/^GPU MAX_FREQ (-1|\d+)$/m);
  });
});

describe("AGX Orin nvpmodel.conf", () => {
  const board = SIM_BOARDS["agx-orin-jp6"];
  const conf = nvpmodelConf(board, simLayout(board, GENERATIONS[6]));
  const block = (id: number) => conf.split("\n\n").find((b) => b.startsWith(`< POWER_MODEL ID=${id} `)) ?? "";

  it("has MAXN uncapped and MODE_15W on four cores of one cluster, as in the fixture", () => {
    expect(block(0)).toContain("CPU_A78_0 MAX_FREQ -1");
    expect(block(0)).toContain("GPU MAX_FREQ -1");
    expect(block(1)).toContain("CPU_ONLINE CORE_3 1\nCPU_ONLINE CORE_4 0");
    expect(block(1)).toContain("CPU_A78_0 MAX_FREQ 1113600");
    expect(block(1)).not.toContain("CPU_A78_1");
    expect(block(1)).toContain("GPU MAX_FREQ 420750000");
  });
});
