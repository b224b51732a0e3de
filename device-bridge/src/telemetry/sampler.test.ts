import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TelemetrySample } from "@jetson/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { SIM_BOARD_IDS, SIM_BOARDS, setLoad, startSimulationClock } from "../../sim/index.js";
import { tegrastatsLines } from "../../sim/testing.js";
import { type SimulatedBoard, simulatedBoard } from "../actions/simulated-board.js";
import { NodeHost } from "../host/node-host.js";
import type { HostPort } from "../host/port.js";
import { parseTegrastatsLine } from "../parsers/tegrastats.js";
import { Sampler } from "./sampler.js";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The machine as a container sees it without /sys/bus/i2c: no INA3221 rails, tegrastats still runs. */
function withoutI2cSysfs(host: HostPort): HostPort {
  const hidden = (p: string) => p.startsWith("/sys/bus/i2c");
  return {
    run: (program, args, options) => host.run(program, args, options),
    readFile: async (p) => (hidden(p) ? undefined : host.readFile(p)),
    writeFile: (p, data) => host.writeFile(p, data),
    listDir: async (p) => (hidden(p) ? [] : host.listDir(p)),
    statFs: (p) => host.statFs(p),
      actingProcess: () => host.actingProcess(),
  };
}

let board: SimulatedBoard | undefined;
let sampler: Sampler | undefined;
let stopClock: () => void = () => undefined;
afterEach(async () => {
  stopClock();
  sampler?.stop();
  await board?.remove();
  board = undefined;
  sampler = undefined;
});

/** Two samples 300 ms apart on a running simulation, so CPU loads have an interval to cover. */
async function sampleBoard(b: SimulatedBoard, s: Sampler): Promise<TelemetrySample> {
  stopClock = startSimulationClock(b.sim.root, 50);
  await s.sample();
  await pause(300);
  return s.sample();
}

describe.each(SIM_BOARD_IDS)("the sampler on %s", (id) => {
  const spec = SIM_BOARDS[id];

  it("reads every field from sysfs and /proc, as tegrastats would print it", async () => {
    board = await simulatedBoard(id);
    sampler = new Sampler(board.host, 100);
    setLoad(board.sim.root, 40);
    const sample = await sampleBoard(board, sampler);
    const printed = parseTegrastatsLine((await tegrastatsLines(board.sim, 1))[0] ?? "");

    expect(sample.ram?.totalMB).toBe(Math.floor(spec.memTotalKB / 1024));
    expect(sample.ram?.usedMB).toBeGreaterThan(0);
    expect(sample.ram?.usedMB).toBeLessThan(sample.ram?.totalMB ?? 0);
    expect(sample.swap).toEqual({ usedMB: 0, totalMB: Math.floor(spec.swapTotalKB / 1024) });

    const cores = spec.cpu.clusters.flatMap((c) => c.cpus).length;
    const online = spec.modes.find((m) => m.id === spec.defaultMode)?.onlineCpus ?? 0;
    expect(sample.cpus).toHaveLength(cores);
    expect(sample.cpus?.filter((c) => c.online !== false)).toHaveLength(online);
    expect(sample.cpus?.map((c) => c.online !== false)).toEqual(printed.cpus?.map((c) => c.online !== false));
    const maxMHz = (spec.cpu.freqsKHz.at(-1) ?? 0) / 1000;
    for (const cpu of sample.cpus?.filter((c) => c.online !== false) ?? []) {
      expect(cpu.loadPct).toBeGreaterThanOrEqual(25);
      expect(cpu.loadPct).toBeLessThanOrEqual(55);
      expect(cpu.freqMHz).toBeGreaterThan(0);
      expect(cpu.freqMHz).toBeLessThanOrEqual(maxMHz);
    }

    expect(sample.gpu?.loadPct).toBe(40);
    expect(sample.gpu?.freqMHz).toBeGreaterThan(0);
    expect(sample.gpu?.freqMHz).toBeLessThanOrEqual((spec.gpu.freqsHz.at(-1) ?? 0) / 1e6);

    // Same sensors under the same keys as the tegrastats parser, offline and placeholder sensors left out.
    expect(Object.keys(sample.tempsC ?? {}).sort()).toEqual(Object.keys(printed.tempsC ?? {}).sort());
    for (const celsius of Object.values(sample.tempsC ?? {})) expect(celsius).toBeGreaterThan(30);

    // Every rail tegrastats prints, with its value; sysfs also has the ones tegrastats hides, yet the
    // total is the same figure from either source.
    for (const [rail, { now }] of Object.entries(printed.powerMW ?? {})) expect(sample.powerMW?.[rail]?.now).toBe(now);
    expect(Object.keys(sample.powerMW ?? {})).toEqual(spec.rails.filter((r) => r.label !== "NC").map((r) => r.label));
    expect(sample.totalPowerMW).toBe(printed.totalPowerMW);

    // Engines from their debugfs clocks, under tegrastats' names.
    expect(sample.engines).toStrictEqual(printed.engines);

    expect(sample.fan?.pwmPct).toBe(Math.round((spec.fan.initialPwm / 255) * 100));
    expect(sample.fan?.rpm === undefined).toBe(spec.fan.maxRpm === undefined);
    expect(sample.disk?.totalMB).toBeGreaterThan(0);

    // EMC is in root-only debugfs, so absent (never 0); Thor shows its clock in bwmgr's devfreq.
    expect(sample.emc).toEqual(spec.emc.bwmgr ? { freqMHz: Math.floor(spec.emc.idleHz / 1e6) } : undefined);
    expect(sample.time).toBeUndefined();
    // Thor's GPU load is NVML's alone: one nvidia-smi query per sample.
    const calls = await board.calls();
    expect(calls.filter((c) => c.program !== "nvidia-smi").map((c) => c.program)).toEqual(["tegrastats"]);
    expect(calls.filter((c) => c.program === "nvidia-smi").map((c) => c.argv)).toEqual(
      spec.gpu.openRm ? Array(2).fill(["--query-gpu=utilization.gpu", "--format=csv,noheader,nounits"]) : [],
    );
  });

  it("follows the load", async () => {
    board = await simulatedBoard(id);
    sampler = new Sampler(board.host, 100);
    const idle = await sampleBoard(board, sampler);
    setLoad(board.sim.root, 100);
    await sampler.sample(); // CPU loads from here on cover the busy time only
    await pause(300);
    const busy = await sampler.sample();
    expect(busy.gpu?.loadPct).toBe(100);
    expect(busy.totalPowerMW).toBeGreaterThan((idle.totalPowerMW ?? Infinity) * 1.5);
    const cpuKey = Object.keys(idle.tempsC ?? {}).find((k) => k === "cpu") ?? "";
    expect(busy.tempsC?.[cpuKey]).toBeGreaterThan((idle.tempsC?.[cpuKey] ?? Infinity) + 15);
    for (const cpu of busy.cpus?.filter((c) => c.online !== false) ?? []) expect(cpu.loadPct).toBeGreaterThanOrEqual(90);
  });
});

describe("the sampler's fallbacks", () => {
  it.each([
    ["agx-orin-jp6", ["VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0"]],
    ["nano-jp46", ["POM_5V_IN", "POM_5V_GPU", "POM_5V_CPU"]],
  ] as const)("%s: rails tegrastats fills in when sysfs has none", async (id, rails) => {
    board = await simulatedBoard(id, withoutI2cSysfs);
    sampler = new Sampler(board.host, 100);
    const first = await sampler.sample();
    expect(first.powerMW).toBeUndefined();
    expect(first.totalPowerMW).toBeUndefined();
    let sample = first;
    for (let i = 0; i < 40 && !sample.powerMW; i++) {
      await pause(100);
      sample = await sampler.sample();
    }
    expect(Object.keys(sample.powerMW ?? {})).toEqual(rails);
    expect(sample.totalPowerMW).toBeGreaterThan(0);
    // Fields sysfs gave stay sysfs's: loads and temperatures were not taken from tegrastats.
    expect(sample.tempsC).toEqual(first.tempsC);
    expect((await board.calls()).filter((c) => c.program === "tegrastats").map((c) => c.argv)).toEqual([["--interval", "100"]]);
  });

  it("reads discrete GPUs from nvidia-smi on a host that is not a Jetson", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "x86-host-"));
    try {
      const root = path.join(dir, "root");
      const bin = path.join(dir, "bin");
      await mkdir(path.join(root, "proc"), { recursive: true });
      await mkdir(bin);
      await writeFile(path.join(root, "proc/meminfo"), "MemTotal: 65536000 kB\nMemFree: 32768000 kB\nBuffers: 0 kB\nCached: 0 kB\n");
      // Output of the 4x-a10 fixture (shared/fixtures/jetson-real/nvidia-smi-csv).
      const rows = ["0, NVIDIA A10, 45, 19676, 23028, 10, 58.98", "1, NVIDIA A10, 44, 21700, 23028, 30, 62.35"];
      await writeFile(path.join(bin, "nvidia-smi"), `#!/bin/sh\nprintf '%s\\n' ${rows.map((r) => `'${r}'`).join(" ")}\n`);
      await chmod(path.join(bin, "nvidia-smi"), 0o755);
      sampler = new Sampler(new NodeHost({ root, programDirs: [bin], defaultTimeoutMs: 5_000, defaultMaxOutputBytes: 1 << 20 }), 100);
      const sample = await sampler.sample();
      expect(sample).toMatchObject({
        ram: { usedMB: 32000, totalMB: 64000 },
        gpu: { loadPct: 20 },
        tempsC: { gpu0: 45, gpu1: 44 },
        powerMW: { GPU0: { now: 58980 }, GPU1: { now: 62350 } },
      });
      // The GPUs' draw is not the machine's; cores, rails and fans it does not have stay absent.
      for (const field of ["totalPowerMW", "cpus", "fan", "emc", "swap"] as const) expect(sample[field]).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
