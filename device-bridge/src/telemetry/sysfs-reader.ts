import { pwmPercent, type TelemetrySample } from "@jetson/protocol";
import type { HostPort } from "../host/port.js";
import { type CpuTimes, loadBetween, parseCpuTimes, readCores } from "../machine/cpu.js";
import { type EmcFiles, findEmc, readEmc } from "../machine/emc.js";
import { type EngineClock, findEngineClocks, readEngines } from "../machine/engines.js";
import { type FanDevice, findFan, readFan } from "../machine/fan.js";
import { findJetsonGpu, readJetsonGpu } from "../machine/gpu.js";
import { findPowerRails, type PowerRail, readPowerRails } from "../machine/power-rails.js";
import { parseMeminfo } from "../machine/proc.js";
import { readThermalZones, temperaturesByKey } from "../machine/thermal.js";
import { totalPowerMW } from "./total-power.js";

const MB = 1024 * 1024;

/** What is looked up once: devices whose sysfs numbering differs per board and boot. */
interface Devices {
  gpuDir?: string;
  rails: PowerRail[];
  fan?: FanDevice;
  emc: EmcFiles;
  engines: EngineClock[];
}

/**
 * Reads a canonical telemetry sample straight from sysfs and /proc. Every field it cannot read is
 * absent. CPU loads cover the time since the previous read, so the first read has none.
 */
export class SysfsReader {
  private devices: Promise<Devices> | undefined;
  private lastTimes: Map<number, CpuTimes> | undefined;

  constructor(private readonly host: HostPort) {}

  async read(): Promise<TelemetrySample> {
    const { host } = this;
    const devices = await (this.devices ??= discover(host));
    const [meminfo, stat, cores, gpu, zones, rails, fan, disk, emc, engines] = await Promise.all([
      host.readFile("/proc/meminfo"),
      host.readFile("/proc/stat"),
      readCores(host),
      devices.gpuDir ? readJetsonGpu(host, devices.gpuDir) : undefined,
      readThermalZones(host),
      readPowerRails(host, devices.rails),
      devices.fan ? readFan(host, devices.fan) : undefined,
      host.statFs("/"),
      readEmc(host, devices.emc),
      readEngines(host, devices.engines),
    ]);
    const times = stat === undefined ? undefined : parseCpuTimes(stat);
    const before = this.lastTimes;
    this.lastTimes = times;
    const sample: TelemetrySample = { ...memory(meminfo) };
    if (cores) {
      sample.cpus = cores.map(({ cpu, online, freqMHz }) => {
        if (!online) return { online: false };
        const loadPct = loadBetween(before?.get(cpu), times?.get(cpu));
        return { ...(loadPct === undefined ? {} : { loadPct }), ...(freqMHz === undefined ? {} : { freqMHz }) };
      });
    }
    if (gpu) sample.gpu = gpu;
    if (emc) sample.emc = emc;
    if (Object.keys(engines).length > 0) sample.engines = engines;
    const temps = temperaturesByKey(zones);
    if (Object.keys(temps).length > 0) sample.tempsC = temps;
    if (rails.size > 0) {
      sample.powerMW = Object.fromEntries([...rails].map(([label, now]) => [label, { now }]));
      sample.totalPowerMW = totalPowerMW(sample.powerMW);
    }
    if (fan) sample.fan = { pwmPct: pwmPercent(fan.pwm), ...(fan.rpm === undefined ? {} : { rpm: fan.rpm }) };
    if (disk) sample.disk = { usedMB: Math.round((disk.totalBytes - disk.freeBytes) / MB), totalMB: Math.round(disk.totalBytes / MB) };
    return sample;
  }
}

async function discover(host: HostPort): Promise<Devices> {
  const [gpuDir, rails, fan, emc, engines] = await Promise.all([
    findJetsonGpu(host),
    findPowerRails(host),
    findFan(host),
    findEmc(host),
    findEngineClocks(host),
  ]);
  return { rails, emc, engines, ...(gpuDir && { gpuDir }), ...(fan && { fan }) };
}

// RAM used as tegrastats counts it: neither free nor buffers nor page cache.
function memory(meminfo: string | undefined): Pick<TelemetrySample, "ram" | "swap"> {
  if (meminfo === undefined) return {};
  const kB = parseMeminfo(meminfo);
  const mb = (value: number) => Math.floor(value / 1024);
  const [total, free, buffers, cached] = ["MemTotal", "MemFree", "Buffers", "Cached"].map((field) => kB.get(field));
  const [swapTotal, swapFree] = [kB.get("SwapTotal"), kB.get("SwapFree")];
  return {
    ...(total !== undefined && free !== undefined && buffers !== undefined && cached !== undefined
      ? { ram: { usedMB: mb(total - free - buffers - cached), totalMB: mb(total) } }
      : {}),
    ...(swapTotal !== undefined && swapFree !== undefined ? { swap: { usedMB: mb(swapTotal - swapFree), totalMB: mb(swapTotal) } } : {}),
  };
}
