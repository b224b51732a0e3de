import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOARD_FACTS } from "./board-facts.js";
import { SIM_BOARD_IDS } from "./boards.js";
import type { SimulatedJetson } from "./create.js";
import { readSim, readSimNumber, tempJetson } from "./testing.js";

const STAND_INS = [
  "apt", "apt-cache", "apt-get", "cat", "df", "dpkg-query", "du", "getent", "gpiodetect", "gpioget", "gpioinfo", "gpioset", "groupadd", "id", "install", "ip",
  "jetson_clocks", "journalctl", "kill", "nvpmodel", "ping", "ps", "realpath", "rm", "sed", "sudo", "systemctl", "tegrastats", "timedatectl", "trtexec", "uname", "useradd", "visudo",
];

// "0-3,8" -> [0, 1, 2, 3, 8]
function cpuList(text: string): number[] {
  return text
    .trim()
    .split(",")
    .flatMap((part) => {
      const [from, to = from] = part.split("-").map(Number) as [number, number?];
      return Array.from({ length: to - from + 1 }, (_, i) => from + i);
    });
}

describe.each(SIM_BOARD_IDS)("simulated files: %s", (id) => {
  const facts = BOARD_FACTS[id];
  let sim: SimulatedJetson & { remove(): Promise<void> };
  const read = (p: string) => readSim(sim, p);
  const list = (p: string) => readdir(path.join(sim.root, p));

  beforeAll(async () => {
    sim = await tempJetson(id);
  });
  afterAll(() => sim.remove());

  it("identifies the board as the device tree and L4T files do", async () => {
    const model = await read("/proc/device-tree/model");
    expect(model).toBe(`${sim.board.model}\0`);
    expect(model).not.toContain("\n");
    const compatible = (await read("/proc/device-tree/compatible")).split("\0");
    expect(compatible.pop()).toBe(""); // every entry NUL-terminated
    expect(compatible.at(-1)).toBe(`nvidia,${facts.soc}`);
    const release = await read("/etc/nv_tegra_release");
    expect(release).toMatch(/^# R(\d+) \(release\), REVISION: ([\d.]+)/);
    expect(release.trimEnd().split("\n")).toHaveLength(facts.releaseLines);
    expect(await read("/etc/hostname")).toBe(`${id}-test\n`);
    expect(await read("/proc/sys/kernel/osrelease")).toMatch(/^\d+\.\d+\.\d+-tegra\n$/);
  });

  it("has /proc/meminfo, /proc/stat and /proc/uptime as the kernel writes them", async () => {
    const meminfo = await read("/proc/meminfo");
    for (const field of ["MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapTotal", "SwapFree"]) {
      expect(meminfo).toMatch(new RegExp(`^${field}: +\\d+ kB$`, "m"));
    }
    expect(/^NvMapMemUsed: +\d+ kB$/m.test(meminfo)).toBe(facts.hasNvMap);
    const online = cpuList(await read("/sys/devices/system/cpu/online"));
    const stat = await read("/proc/stat");
    expect(stat).toMatch(/^cpu {2}\d+( \d+){9}$/m);
    expect(stat.match(/^cpu\d+ /gm)?.map((l) => Number(l.slice(3)))).toEqual(online);
    expect(await read("/proc/uptime")).toMatch(/^\d+\.\d{2} \d+\.\d{2}\n$/);
  });

  it("has cpufreq files for every core, in kHz within their limits", async () => {
    expect(await read("/sys/devices/system/cpu/present")).toBe(`0-${facts.cpus - 1}\n`);
    const online = cpuList(await read("/sys/devices/system/cpu/online"));
    for (let cpu = 0; cpu < facts.cpus; cpu++) {
      const dir = `/sys/devices/system/cpu/cpu${cpu}`;
      expect(await read(`${dir}/online`)).toBe(online.includes(cpu) ? "1\n" : "0\n");
      const [cur, min, max, hwMax] = await Promise.all(
        ["scaling_cur_freq", "scaling_min_freq", "scaling_max_freq", "cpuinfo_max_freq"].map((f) =>
          readSimNumber(sim, `${dir}/cpufreq/${f}`),
        ),
      );
      expect(min).toBeLessThanOrEqual(cur ?? 0);
      expect(cur).toBeLessThanOrEqual(max ?? 0);
      expect(max).toBeLessThanOrEqual(hwMax ?? 0);
      expect(await read(`${dir}/cpufreq/scaling_governor`)).toMatch(/^(schedutil|ondemand)\n$/);
    }
  });

  it("has thermal zones with real types and m°C readings", async () => {
    const zones = (await list("/sys/devices/virtual/thermal")).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    const types = await Promise.all(zones.map((z) => read(`/sys/devices/virtual/thermal/${z}/type`)));
    expect(types.map((t) => t.trim())).toEqual(facts.thermalZones);
    for (const zone of zones) {
      const temp = await readSimNumber(sim, `/sys/class/thermal/${zone}/temp`);
      expect(temp === -256000 || (temp > 20000 && temp <= 100000)).toBe(true);
    }
  });

  it("has one GPU devfreq node found by its device-tree name", async () => {
    // Thor's EMC has a devfreq node of its own (bwmgr)
    const nodes = (await list("/sys/class/devfreq")).filter((n) => n !== "bwmgr");
    expect(nodes).toHaveLength(1);
    const node = `/sys/class/devfreq/${nodes[0]}`;
    expect(nodes[0]).toMatch(facts.gpuDevfreq === undefined ? new RegExp(`^[0-9a-f]+\\.${facts.gpuNode}$`) : new RegExp(`^${facts.gpuDevfreq}$`));
    expect(await read(`${node}/device/of_node/name`)).toBe(`${facts.gpuNode}\0`);
    const [cur, min, max] = await Promise.all(["cur_freq", "min_freq", "max_freq"].map((f) => readSimNumber(sim, `${node}/${f}`)));
    expect(min).toBeLessThanOrEqual(cur ?? 0);
    expect(cur).toBeLessThanOrEqual(max ?? 0);
    if (facts.gpuDevfreq === undefined) {
      const load = await readSimNumber(sim, `${node}/device/load`);
      expect(load).toBeGreaterThanOrEqual(0);
      expect(load).toBeLessThanOrEqual(1000);
    } else {
      expect(await read(`${node}/device/load`).catch(() => undefined)).toBeUndefined(); // the open RM driver keeps the load in NVML
    }
    // sysfs reaches devices through links; the simulated ones stay inside the root.
    expect((await lstat(path.join(sim.root, node))).isSymbolicLink()).toBe(true);
  });

  it("has INA3221 rails where its JetPack's driver puts them", async () => {
    const labels: string[] = [];
    if (sim.board.generation === 4) {
      const dir = "/sys/bus/i2c/drivers/ina3221x/6-0040/iio:device0";
      for (let ch = 0; ch < 3; ch++) {
        labels.push((await read(`${dir}/rail_name_${ch}`)).trim());
        expect(await readSimNumber(sim, `${dir}/in_power${ch}_input`)).toBeGreaterThan(0);
      }
    } else {
      for (const device of await list("/sys/bus/i2c/drivers/ina3221")) {
        const hwmonDir = `/sys/bus/i2c/drivers/ina3221/${device}/hwmon`;
        for (const hwmon of await list(hwmonDir)) {
          for (let ch = 1; ch <= 3; ch++) {
            const dir = `${hwmonDir}/${hwmon}`;
            labels.push((await read(`${dir}/in${ch}_label`)).trim());
            expect(await readSimNumber(sim, `${dir}/in${ch}_input`)).toBeGreaterThan(4000); // mV
            expect(await readSimNumber(sim, `${dir}/curr${ch}_input`)).toBeGreaterThanOrEqual(0); // mA
          }
        }
      }
    }
    expect(labels).toEqual(facts.sysfsRails);
  });

  it("has the fan, the nvpmodel status and the simulation's state", async () => {
    if (sim.board.generation === 4) {
      expect(await readSimNumber(sim, "/sys/devices/pwm-fan/target_pwm")).toBe(sim.board.fan.initialPwm);
    } else {
      expect(await read("/sys/class/hwmon/hwmon0/name")).toBe("pwmfan\n");
      expect(await readSimNumber(sim, "/sys/class/hwmon/hwmon0/pwm1")).toBe(sim.board.fan.initialPwm);
      expect(await readSimNumber(sim, "/sys/class/hwmon/hwmon0/rpm")).toBeGreaterThan(0);
    }
    expect(await read("/var/lib/nvpmodel/status")).toBe(`pmode:${String(facts.defaultMode).padStart(4, "0")}\n`);
    // nvfancontrol arrives with JetPack 5.
    const fanConf = await read("/etc/nvfancontrol.conf").catch(() => undefined);
    expect(fanConf === undefined).toBe(sim.board.generation === 4);
    if (fanConf) expect(fanConf).toMatch(/^\tFAN_DEFAULT_PROFILE quiet$/m);
    const state = JSON.parse(await read("/var/lib/jetson-sim/state.json")) as Record<string, unknown>;
    expect(state).toMatchObject({ clocksLocked: false, pendingMode: null });
  });

  it("installs the stand-ins as executable node scripts", async () => {
    const standIns = sim.board.gpu.openRm ? [...STAND_INS, "nvidia-smi"].sort() : STAND_INS;
    expect((await readdir(sim.binDir)).sort()).toEqual(standIns);
    for (const name of standIns) {
      const file = path.join(sim.binDir, name);
      expect((await lstat(file)).mode & 0o777).toBe(0o755);
      expect(await readFile(file, "utf8")).toMatch(/^#!\/usr\/bin\/env node\n/);
    }
  });
});
