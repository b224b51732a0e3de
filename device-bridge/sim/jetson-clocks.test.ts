import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOARD_FACTS } from "./board-facts.js";
import { SIM_BOARD_IDS } from "./boards.js";
import type { SimulatedJetson } from "./create.js";
import { readSim, runProgram, tempJetson } from "./testing.js";

interface Clock {
  min: number;
  max: number;
  cur: number;
}

// The CPU, GPU and EMC lines of `jetson_clocks --show`.
function clocks(show: string): { cpus: Map<number, Clock & { online: boolean }>; gpu?: Clock; emc?: Clock } {
  const clock = (text = ""): Clock => ({
    min: Number(/MinFreq=(\d+)/.exec(text)?.[1]),
    max: Number(/MaxFreq=(\d+)/.exec(text)?.[1]),
    cur: Number(/CurrentFreq=(\d+)/.exec(text)?.[1]),
  });
  const cpus = new Map(
    [...show.matchAll(/^cpu(\d+): +Online=([01]) (.*)$/gm)].map((m) => [Number(m[1]), { ...clock(m[3]), online: m[2] === "1" }]),
  );
  return {
    cpus,
    gpu: clock(/^GPU (.*)$/m.exec(show)?.[1]),
    emc: clock(/^EMC (.*)$/m.exec(show)?.[1]),
  };
}

describe.each(SIM_BOARD_IDS)("jetson_clocks: %s", (id) => {
  const facts = BOARD_FACTS[id];
  let sim: SimulatedJetson & { remove(): Promise<void> };
  const show = async () => (await runProgram(sim, "jetson_clocks", ["--show"])).stdout;

  beforeAll(async () => {
    sim = await tempJetson(id);
  });
  afterAll(() => sim.remove());

  it("--show prints the board's format", async () => {
    const text = await show();
    expect(text.split("\n")[0]).toBe(`SOC family:${facts.soc}  Machine:${sim.board.model}`);
    expect(text).toMatch(/^Online CPUs: [\d,-]+$/m);
    const cpuLines = text.match(/^cpu\d+: +(Online=[01] )?Governor=\w+ MinFreq=\d+ MaxFreq=\d+ CurrentFreq=\d+ IdleStates: WFI=1 c7=1 ?$/gm);
    expect(cpuLines).toHaveLength(facts.cpus);
    // JetPack 7 names the online cores in "Online CPUs:" only
    expect(text.includes(" Online=")).toBe(sim.board.generation < 7);
    // The tool walks cpu* in directory order: cpu10 before cpu2.
    if (facts.cpus > 10) expect(text.indexOf("cpu10:")).toBeLessThan(text.indexOf("cpu2:"));
    expect(text).toMatch(/^GPU MinFreq=\d+ MaxFreq=\d+ CurrentFreq=\d+$/m);
    expect(text).toMatch(/^EMC MinFreq=\d+ MaxFreq=\d+ CurrentFreq=\d+ FreqOverride=0$/m);
    const fan = sim.board.generation === 4 ? /^Fan: PWM=\d+$/m : /^FAN Dynamic Speed [Cc]ontrol=\w+ hwmon0_pwm1=\d+$/m;
    expect(text).toMatch(fan);
    expect(/^Active GPU TPCs: \d+$/m.test(text)).toBe(sim.board.generation === 6);
    expect(text.trimEnd().split("\n").at(-1)).toBe(`NV Power Mode: ${facts.modes[facts.defaultMode]}`);
  });

  it("locks clocks at their max and --restore brings back what --store saved", async () => {
    // A machine path, under the board's root (the bridge passes one in a folder only root may write).
    const saved = "/var/lib/l4t_dfs.conf";
    const before = clocks(await show());
    expect((await runProgram(sim, "jetson_clocks", ["--store", saved])).code).toBe(0);
    expect(await readSim(sim, "/var/log/sim-calls.log")).toContain(JSON.stringify(["--store", saved]));

    expect((await runProgram(sim, "jetson_clocks", [])).code).toBe(0);
    const lockedText = await show();
    const locked = clocks(lockedText);
    for (const [cpu, clock] of locked.cpus) {
      if (!clock.online) continue;
      expect(clock).toEqual({ min: before.cpus.get(cpu)?.max, max: before.cpus.get(cpu)?.max, cur: before.cpus.get(cpu)?.max, online: true });
    }
    expect(locked.gpu).toEqual({ min: before.gpu?.max, max: before.gpu?.max, cur: before.gpu?.max });
    expect(locked.emc?.cur).toBe(locked.emc?.max);
    expect(lockedText).toContain("IdleStates: WFI=0 c7=0");
    expect(JSON.parse(await readSim(sim, "/var/lib/jetson-sim/state.json"))).toMatchObject({ clocksLocked: true });

    expect((await runProgram(sim, "jetson_clocks", ["--restore", saved])).code).toBe(0);
    const after = clocks(await show());
    for (const [cpu, clock] of after.cpus) {
      expect({ min: clock.min, max: clock.max }).toEqual({ min: before.cpus.get(cpu)?.min, max: before.cpus.get(cpu)?.max });
    }
    expect({ min: after.gpu?.min, max: after.gpu?.max }).toEqual({ min: before.gpu?.min, max: before.gpu?.max });
    expect(JSON.parse(await readSim(sim, "/var/lib/jetson-sim/state.json"))).toMatchObject({ clocksLocked: false });
  });

  it("--store over an existing file asks first: y or Y overwrites it, anything else (no answer too) fails and keeps it", async () => {
    const saved = "/var/lib/l4t_dfs_again.conf";
    expect((await runProgram(sim, "jetson_clocks", ["--store", saved])).code).toBe(0);
    const first = await readSim(sim, saved);
    await writeFile(path.join(sim.root, saved), "kept\n");
    for (const answer of ["", "n\n", "yes\n"]) {
      const refused = await runProgram(sim, "jetson_clocks", ["--store", saved], answer);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe(`File ${saved} already exists. Can I overwrite it? Y/N:\nError: file ${saved} already exists!\n`);
      expect(await readSim(sim, saved)).toBe("kept\n");
    }
    for (const answer of ["y\n", "Y\n"]) {
      const overwritten = await runProgram(sim, "jetson_clocks", ["--store", saved], answer);
      expect(overwritten.code).toBe(0);
      expect(await readSim(sim, saved)).toBe(first);
      await writeFile(path.join(sim.root, saved), "kept\n");
    }
  });

  it("shows a fan PWM the bridge wrote through sysfs", async () => {
    const pwmFile = sim.board.generation === 4 ? "/sys/devices/pwm-fan/target_pwm" : "/sys/class/hwmon/hwmon0/pwm1";
    await writeFile(path.join(sim.root, pwmFile), "201\n");
    expect(await show()).toMatch(/^(Fan: PWM|FAN .* hwmon0_pwm1)=201$/m);
  });

  it("refuses a missing --restore file and unknown options", async () => {
    const missing = await runProgram(sim, "jetson_clocks", ["--restore", "/var/lib/none.conf"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("doesn't exist");
    expect((await runProgram(sim, "jetson_clocks", ["--fast"])).code).toBe(1);
    expect((await runProgram(sim, "jetson_clocks", ["--store", "/var/lib/no-such-folder/saved.conf"])).code).toBe(1);
  });
});
