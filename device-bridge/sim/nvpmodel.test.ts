import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BOARD_FACTS } from "./board-facts.js";
import { SIM_BOARD_IDS } from "./boards.js";
import type { SimulatedJetson } from "./create.js";
import { readSim, readSimNumber, runProgram, tegrastatsLines, tempJetson } from "./testing.js";

type Sim = SimulatedJetson & { remove(): Promise<void> };

// nvpmodel -q: "NV Power Mode: NAME" and the id on the next line, possibly after NVPM WARN lines.
function query(stdout: string): { name?: string; id?: number } {
  const lines = stdout.trimEnd().split("\n");
  const at = lines.findIndex((l) => /NV Power Mode: /.test(l));
  return { name: lines[at]?.replace(/^.*NV Power Mode: /, ""), id: Number(lines[at + 1]) };
}

describe.each(SIM_BOARD_IDS)("nvpmodel: %s", (id) => {
  const facts = BOARD_FACTS[id];
  let sim: Sim;
  beforeAll(async () => {
    sim = await tempJetson(id);
  });
  afterAll(() => sim.remove());

  it("-q prints the mode name, then its id on the next line", async () => {
    const { code, stdout } = await runProgram(sim, "nvpmodel", ["-q"]);
    expect(code).toBe(0);
    expect(query(stdout)).toEqual({ name: facts.modes[facts.defaultMode], id: facts.defaultMode });
    expect(stdout).toMatch(/^NV Power Mode: \S+\n\d+\n$/m);
  });

  it("-q --verbose adds the settings it compares against the files", async () => {
    const { stdout } = await runProgram(sim, "nvpmodel", ["-q", "--verbose"]);
    expect(stdout).toContain(`NVPM VERB: Current mode: NV Power Mode: ${facts.modes[facts.defaultMode]}\n${facts.defaultMode}\n`);
    expect(stdout).toMatch(
      /^NVPM VERB: PARAM CPU_ONLINE: ARG CORE_0: PATH \/sys\/devices\/system\/cpu\/cpu0\/online: REAL_VAL: 1 CONF_VAL: 1$/m,
    );
  });

  it("-p --verbose prints the mode table like the real tool", async () => {
    const { code, stdout } = await runProgram(sim, "nvpmodel", ["-p", "--verbose"]);
    expect(code).toBe(0);
    expect(stdout).toContain(`NVPM VERB: PM_CONFIG: DEFAULT=${facts.modes[facts.defaultMode]}(${facts.defaultMode})\n`);
    for (const [modeId, name] of Object.entries(facts.modes)) {
      expect(stdout).toContain(`NVPM VERB: POWER_MODEL: ID=${modeId} NAME=${name}\nNVPM VERB: CPU_ONLINE CORE_0 1\n`);
    }
    expect(stdout).toContain("NVPM VERB: PARAM TYPE=CLOCK NAME=GPU\n");
  });

  it("-m with an unknown id fails with exit code 1 and leaves the mode", async () => {
    const { code, stdout } = await runProgram(sim, "nvpmodel", ["-m", "42"]);
    expect(code).toBe(1);
    expect(stdout).toContain("NVPM ERROR: request for bad power mode 42");
    expect(await readSim(sim, "/var/lib/nvpmodel/status")).toBe(`pmode:${String(facts.defaultMode).padStart(4, "0")}\n`);
  });
});

describe("nvpmodel on the AGX Orin", () => {
  let sim: Sim;
  beforeEach(async () => {
    sim = await tempJetson("agx-orin-jp6");
  });
  afterEach(() => sim.remove());
  const mode = async () => query((await runProgram(sim, "nvpmodel", ["-q"])).stdout);

  it("-m 3 from MAXN switches at once: both gate no GPU TPC (TPC_PG_MASK 0)", async () => {
    expect((await runProgram(sim, "nvpmodel", ["-m", "0"], "YES\n")).code).toBe(0);
    const { code, stdout } = await runProgram(sim, "nvpmodel", ["-m", "3"]);
    expect({ code, stdout }).toEqual({ code: 0, stdout: "" });
    expect(await mode()).toEqual({ name: "MODE_50W", id: 3 });
    expect(await readSim(sim, "/sys/devices/system/cpu/online")).toBe("0-11\n");
    expect(await readSimNumber(sim, "/sys/devices/system/cpu/cpu11/cpufreq/scaling_max_freq")).toBe(1497600);
  });

  it("-m 1 (TPC_PG_MASK 248, MODE_30W's is 240) takes a reboot: then four cores, lower clock caps, off in tegrastats", async () => {
    const { code, stdout } = await runProgram(sim, "nvpmodel", ["-m", "1"], "YES\n");
    expect(code).toBe(0);
    expect(stdout).toContain("NVPM WARN: Reboot required for changing to this power mode: 1\n");
    expect(await mode()).toEqual({ name: "MODE_15W", id: 1 });
    expect(await readSimNumber(sim, "/sys/devices/platform/bus@0/17000000.gpu/tpc_pg_mask")).toBe(248);
    expect(await readSim(sim, "/sys/devices/system/cpu/online")).toBe("0-3\n");
    expect(await readSimNumber(sim, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_max_freq")).toBe(1113600);
    expect(await readSimNumber(sim, "/sys/devices/system/cpu/cpu3/cpufreq/scaling_max_freq")).toBe(1113600);
    expect(await readSimNumber(sim, "/sys/class/devfreq/17000000.gpu/max_freq")).toBe(420750000);
    expect(await readSimNumber(sim, "/sys/class/devfreq/17000000.gpu/cur_freq")).toBeLessThanOrEqual(420750000);
    const [line = ""] = await tegrastatsLines(sim, 1);
    const cpus = /CPU \[([^\]]*)\]/.exec(line)?.[1]?.split(",");
    expect(cpus?.filter((c) => c === "off")).toHaveLength(8);
    expect(cpus?.slice(0, 4).every((c) => /^\d+%@\d+$/.test(c) && Number(c.split("@")[1]) <= 1113)).toBe(true);
  });

  it("asks before a mode that needs a reboot and changes nothing without YES", async () => {
    for (const answer of ["", "no\n"]) {
      const { code, stdout } = await runProgram(sim, "nvpmodel", ["-m", "0"], answer);
      expect(code).not.toBe(0);
      expect(stdout).toContain("NVPM WARN: Reboot required for changing to this power mode: 0\n");
      expect(stdout).toContain("NVPM WARN: DO YOU WANT TO REBOOT NOW? enter YES/yes to confirm:\n");
      expect(stdout).toMatch(/^NVPM ERROR: /m);
      expect(await mode()).toEqual({ name: "MODE_30W", id: 2 });
    }
    expect(JSON.parse(await readSim(sim, "/var/lib/jetson-sim/state.json"))).toMatchObject({ pendingMode: null });
  });

  it("with YES records the mode and reboots into it, as the real tool does", async () => {
    const { code, stdout } = await runProgram(sim, "nvpmodel", ["-m", "0"], "YES\n");
    expect(code).toBe(0);
    expect(stdout).toMatch(/NVPM WARN: rebooting\n$/);
    expect(Number.parseFloat(await readSim(sim, "/proc/uptime"))).toBeLessThan(60);
    expect(await mode()).toEqual({ name: "MAXN", id: 0 });
    expect(await readSim(sim, "/sys/devices/system/cpu/online")).toBe("0-11\n");
    expect(await readSimNumber(sim, "/sys/devices/system/cpu/cpu11/cpufreq/scaling_max_freq")).toBe(2201600);
  });
});

describe("nvpmodel on the other boards", () => {
  it.each([
    ["nano-jp46", 1, "0-1\n", 918000, 640000000],
    ["xavier-nx-jp51", 0, "0-1\n", 1907200, 1109250000],
    ["orin-nano-super-jp6", 2, "0-5\n", 1728000, 1020000000],
    ["orin-nano-super-jp6", 3, "0-3\n", 960000, 408000000],
  ] as const)("%s -m %i applies at once", async (id, modeId, online, cpuMax, gpuMax) => {
    const sim = await tempJetson(id);
    try {
      expect((await runProgram(sim, "nvpmodel", ["-m", String(modeId)])).code).toBe(0);
      expect(query((await runProgram(sim, "nvpmodel", ["-q"])).stdout)).toEqual({ name: BOARD_FACTS[id].modes[modeId], id: modeId });
      expect(await readSim(sim, "/sys/devices/system/cpu/online")).toBe(online);
      expect(await readSimNumber(sim, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_max_freq")).toBe(cpuMax);
      const [node] = (await readSim(sim, "/etc/nvpmodel.conf")).match(/\/sys\/devices\/\S+\/devfreq\/[^/\s]+/) ?? [];
      expect(await readSimNumber(sim, `${node}/max_freq`)).toBe(gpuMax);
    } finally {
      await sim.remove();
    }
  });
});
