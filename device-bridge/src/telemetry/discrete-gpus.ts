import type { GpuList, TelemetrySample } from "@jetson/protocol";
import type { HostPort } from "../host/port.js";
import { NVIDIA_SMI_GPU_FIELDS, parseNvidiaSmiCsv } from "../parsers/nvidia-smi.js";

/** The host's discrete NVIDIA GPUs from nvidia-smi; undefined when it is missing or fails. */
export async function readDiscreteGpus(host: HostPort): Promise<GpuList | undefined> {
  const result = await host
    .run("nvidia-smi", [`--query-gpu=${NVIDIA_SMI_GPU_FIELDS.join(",")}`, "--format=csv,noheader,nounits"], { timeoutMs: 10_000 })
    .catch(() => undefined);
  if (result?.exitCode !== 0) return undefined;
  try {
    return parseNvidiaSmiCsv(result.stdout);
  } catch {
    return undefined;
  }
}

/**
 * The integrated GPU's load where NVML alone knows it (Thor's GPU under the open RM driver, whose
 * devfreq node has clocks but no load); undefined when nvidia-smi is missing, fails or prints [N/A].
 */
export async function readNvmlGpuLoad(host: HostPort): Promise<number | undefined> {
  const fields = ["utilization.gpu"] as const;
  const result = await host
    .run("nvidia-smi", [`--query-gpu=${fields.join(",")}`, "--format=csv,noheader,nounits"], { timeoutMs: 10_000 })
    .catch(() => undefined);
  if (result?.exitCode !== 0) return undefined;
  try {
    return parseNvidiaSmiCsv(result.stdout, fields)[0]?.utilizationPct;
  } catch {
    return undefined;
  }
}

/**
 * The GPUs' part of a canonical sample: mean utilisation, each GPU's temperature and power draw
 * (keyed gpu / GPU for one, gpu0 / GPU0 ... for several). The draw is not the machine's total, so
 * totalPowerMW stays absent.
 */
export function discreteGpuSample(gpus: GpuList): Pick<TelemetrySample, "gpu" | "tempsC" | "powerMW"> {
  const key = (base: string, index: number) => (gpus.length === 1 ? base : `${base}${index}`);
  const loads = gpus.map((g) => g.utilizationPct).filter((v): v is number => v !== undefined);
  const temps = gpus.flatMap((g) => (g.temperatureC === undefined ? [] : [[key("gpu", g.index), g.temperatureC] as const]));
  const power = gpus.flatMap((g) => (g.powerDrawW === undefined ? [] : [[key("GPU", g.index), { now: Math.round(g.powerDrawW * 1000) }] as const]));
  return {
    ...(loads.length > 0 ? { gpu: { loadPct: Math.round(loads.reduce((a, b) => a + b, 0) / loads.length) } } : {}),
    ...(temps.length > 0 ? { tempsC: Object.fromEntries(temps) } : {}),
    ...(power.length > 0 ? { powerMW: Object.fromEntries(power) } : {}),
  };
}
