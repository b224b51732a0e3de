import type { TelemetrySample } from "@jetson/protocol";
import type { HostPort } from "../host/port.js";
import { discreteGpuSample, readDiscreteGpus, readNvmlGpuLoad } from "./discrete-gpus.js";
import { SysfsReader } from "./sysfs-reader.js";
import { TegrastatsStream } from "./tegrastats-stream.js";

// Every Jetson has these in sysfs and /proc: one missing means they are unreadable here (a container,
// no root), so tegrastats runs, and the fields it prints fill in what sysfs could not give.
const CORE_FIELDS = ["ram", "cpus", "gpu", "tempsC", "powerMW"] as const;
const TEGRASTATS_FIELDS = ["ram", "swap", "cpus", "gpu", "emc", "engines", "tempsC", "powerMW", "totalPowerMW"] as const;
// A Tegra SoC in the device tree means a Jetson: its GPU is read from devfreq, and from nvidia-smi only
// the load devfreq lacks (Thor's GPU under the open RM driver), never as a discrete GPU.
const TEGRA = /nvidia,tegra\d+/;

/**
 * One telemetry sample at a time in the canonical shape: sysfs and /proc first; on hosts that are
 * not Jetsons, the GPUs from nvidia-smi; and a running tegrastats for the core fields sysfs could
 * not give. Absent stays absent: nothing is ever reported as 0 for want of a reading.
 */
export class Sampler {
  private readonly sysfs: SysfsReader;
  private readonly tegrastats: TegrastatsStream;
  private discreteHost: Promise<boolean> | undefined;
  /** Whether nvidia-smi may know the Jetson GPU's load; false after it could not say once. */
  private nvmlLoad = true;

  constructor(
    private readonly host: HostPort,
    private readonly intervalMs: number,
  ) {
    this.sysfs = new SysfsReader(host);
    this.tegrastats = new TegrastatsStream(host, intervalMs);
  }

  async sample(): Promise<TelemetrySample> {
    const sample = await this.sysfs.read();
    if (sample.gpu && sample.gpu.loadPct === undefined && this.nvmlLoad) {
      const loadPct = await readNvmlGpuLoad(this.host);
      if (loadPct === undefined) this.nvmlLoad = false;
      else sample.gpu = { ...sample.gpu, loadPct };
    }
    if (!sample.gpu && (await (this.discreteHost ??= this.isDiscreteHost()))) {
      const gpus = await readDiscreteGpus(this.host);
      if (gpus) mergeMissing(sample, discreteGpuSample(gpus));
    }
    if (CORE_FIELDS.some((field) => sample[field] === undefined) && !this.tegrastats.unavailable) {
      this.tegrastats.ensureRunning();
      const latest = this.tegrastats.latest(3 * this.intervalMs);
      if (latest) mergeMissing(sample, pick(latest, TEGRASTATS_FIELDS));
    }
    return sample;
  }

  stop(): void {
    this.tegrastats.stop();
  }

  private async isDiscreteHost(): Promise<boolean> {
    const compatible = await this.host.readFile("/proc/device-tree/compatible");
    return compatible === undefined || !TEGRA.test(compatible);
  }
}

/**
 * One sample now. CPU loads need two readings, so a machine that has cores is read twice,
 * `windowMs` apart (which also lets a tegrastats fallback print its first line).
 */
export async function sampleOnce(host: HostPort, windowMs = 500): Promise<TelemetrySample> {
  const sampler = new Sampler(host, Math.max(100, Math.floor(windowMs / 2)));
  try {
    const first = await sampler.sample();
    if (!first.cpus?.length) return first;
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    return await sampler.sample();
  } finally {
    sampler.stop();
  }
}

function mergeMissing(sample: TelemetrySample, from: TelemetrySample): void {
  for (const [key, value] of Object.entries(from) as [keyof TelemetrySample, TelemetrySample[keyof TelemetrySample]][]) {
    if (sample[key] === undefined && value !== undefined) Object.assign(sample, { [key]: value });
  }
}

function pick(sample: TelemetrySample, fields: readonly (keyof TelemetrySample)[]): TelemetrySample {
  return Object.fromEntries(fields.filter((f) => sample[f] !== undefined).map((f) => [f, sample[f]]));
}
