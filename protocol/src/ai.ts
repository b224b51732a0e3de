import { z } from "zod";

// AI payloads of the catalogue's ai.* actions (catalogue/ai.ts).

/**
 * A file name in the model store: no folders, no "..", never a download in progress (".part").
 * The bridge checks it again before it touches a path.
 */
export const ModelNameSchema = z
  .string()
  .regex(
    /^(?!.*\.\.)(?!.*\.part$)[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    "a file name: letters, digits, . _ - (no slashes, no '..', not ending in .part)",
  )
  .describe("Model file name in the device's model store, e.g. resnet50.onnx or yolov8n-fp16.engine");

export const FrameworkProbeSchema = z.object({
  name: z.enum(["torch", "tensorflow", "onnxruntime"]),
  status: z.enum(["installed", "missing", "failed", "timed_out"]),
  version: z.string().optional(),
  gpu: z.boolean().describe("The framework sees the GPU (CUDA for torch/tensorflow, CUDA or TensorRT provider for onnxruntime)"),
  detail: z.string().optional(),
});
export type FrameworkProbe = z.infer<typeof FrameworkProbeSchema>;

export const StoredModelSchema = z.object({
  name: z.string(),
  sizeBytes: z.number(),
  sha256: z.string(),
  modifiedAt: z.string(),
});

export const LatencyStatsSchema = z.object({
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  median: z.number(),
  p90: z.number().optional(),
  p95: z.number().optional(),
  p99: z.number().optional(),
});
export type LatencyStats = z.infer<typeof LatencyStatsSchema>;

export const BenchmarkReportSchema = z.object({
  tensorrtVersion: z.string().optional(),
  queries: z.number().int().optional().describe("Timed queries, warm-up excluded"),
  throughputQps: z.number(),
  latencyMs: LatencyStatsSchema.describe("Host latency: H2D + GPU compute + D2H"),
  gpuComputeMs: LatencyStatsSchema,
  enqueueMs: LatencyStatsSchema.optional(),
  h2dMs: LatencyStatsSchema.optional(),
  d2hMs: LatencyStatsSchema.optional(),
  totalHostWalltimeS: z.number().optional(),
  totalGpuComputeS: z.number().optional(),
  warnings: z.array(z.string()),
});
export type BenchmarkReport = z.infer<typeof BenchmarkReportSchema>;
