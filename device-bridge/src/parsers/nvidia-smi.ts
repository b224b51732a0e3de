import type { GpuInfo, GpuList } from "@jetson/protocol";

/** nvidia-smi --query-gpu field -> GpuInfo key (values read with --format=csv,noheader,nounits). */
const COLUMNS = {
  index: "index",
  name: "name",
  "temperature.gpu": "temperatureC",
  "memory.used": "memoryUsedMiB",
  "memory.total": "memoryTotalMiB",
  "utilization.gpu": "utilizationPct",
  "power.draw": "powerDrawW",
} as const satisfies Record<string, keyof GpuInfo>;

export type NvidiaSmiField = keyof typeof COLUMNS;

/** The fields the bridge queries, in order. */
export const NVIDIA_SMI_GPU_FIELDS: readonly NvidiaSmiField[] = [
  "index",
  "name",
  "temperature.gpu",
  "memory.used",
  "memory.total",
  "utilization.gpu",
  "power.draw",
];

// nvidia-smi prints [N/A], [Not Supported] and the like where it has no value (Jetson's "Orin (nvgpu)" mostly).
const NO_VALUE = /^\[.*\]$/;

/** `nvidia-smi --query-gpu=<fields> --format=csv,noheader,nounits`, one GPU a line. */
export function parseNvidiaSmiCsv(text: string, fields: readonly NvidiaSmiField[] = NVIDIA_SMI_GPU_FIELDS): GpuList {
  const rows = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  return rows.map((line, row) => {
    const cells = line.split(",").map((cell) => cell.trim());
    if (cells.length !== fields.length) {
      throw new Error(`nvidia-smi: line ${row + 1} has ${cells.length} values for ${fields.length} fields: ${line}`);
    }
    const gpu: GpuInfo = { index: row };
    fields.forEach((field, i) => {
      const value = cells[i] as string;
      const key = COLUMNS[field];
      if (NO_VALUE.test(value)) return;
      if (key === "name") {
        gpu.name = value;
        return;
      }
      const number = Number(value);
      if (value === "" || !Number.isFinite(number)) throw new Error(`nvidia-smi: line ${row + 1} ${field} is not a number: ${value}`);
      gpu[key] = number;
    });
    return gpu;
  });
}
