import { z } from "zod";
import { BenchmarkReportSchema, FrameworkProbeSchema, ModelNameSchema, StoredModelSchema } from "../ai.js";
import { ContainerRefSchema, ContainerStateSchema, ImageRefSchema } from "../containers.js";
import { hostNetworkReason, NetworkModeSchema } from "./containers.js";
import { defineAction, READ_ONLY } from "./define.js";

const Sha256Schema = z
  .string()
  .regex(/^[a-fA-F0-9]{64}$/, "64 hex digits")
  .transform((s) => s.toLowerCase());

const VersionSchema = z.object({ package: z.string(), version: z.string() });

export const aiInventory = defineAction({
  name: "ai.inventory",
  title: "AI stack inventory",
  description:
    "Which AI stack the device has: CUDA, cuDNN, TensorRT, VPI and OpenCV versions (from the installed packages), whether PyTorch, TensorFlow and ONNX Runtime import in python3 and see the GPU, and which AI container images (l4t-*, jetson-containers, TensorRT, PyTorch, Triton, DeepStream) are present.",
  schemas: () => ({
    input: z.object({}),
    output: z.object({
      libraries: z.object({
        cuda: VersionSchema.optional(),
        cudnn: VersionSchema.optional(),
        tensorrt: VersionSchema.optional(),
        vpi: VersionSchema.optional(),
        opencv: VersionSchema.optional(),
      }),
      packagesReadable: z.boolean().describe("False when dpkg-query could not be run, so missing libraries are unknown rather than absent"),
      frameworks: z.array(FrameworkProbeSchema),
      images: z.object({
        available: z.boolean(),
        error: z.string().optional(),
        ai: z.array(z.object({ tags: z.array(z.string()), id: z.string(), sizeBytes: z.number() })),
      }),
    }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 90_000,
});

export const aiModelList = defineAction({
  name: "ai.model_list",
  title: "List stored models",
  description:
    "Models in the device's model store with size and sha256, the free space left, and downloads that were interrupted and can be resumed by deploying again.",
  schemas: () => ({
    input: z.object({}),
    output: z.object({
      dir: z.string(),
      models: z.array(StoredModelSchema),
      partial: z.array(z.object({ name: z.string(), bytes: z.number() })),
      freeBytes: z.number().optional(),
    }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 120_000,
});

export const aiModelDeploy = defineAction({
  name: "ai.model_deploy",
  title: "Deploy a model",
  description:
    "Downloads a model file into the device's model store from an http(s) URL. The sha256 is required: the file is kept only when it matches. Checks free space first, resumes an interrupted download, reports progress, and replaces nothing (remove a model of the same name first).",
  schemas: () => ({
    input: z.object({
      name: ModelNameSchema,
      url: z.url({ protocol: /^https?$/ }).describe("http or https URL of the model file"),
      sha256: Sha256Schema.describe("Expected SHA-256 of the file, 64 hex digits"),
    }),
    output: z.object({
      name: z.string(),
      sizeBytes: z.number(),
      sha256: z.string(),
      alreadyPresent: z.boolean(),
      resumedFromBytes: z.number().describe("Bytes kept from an earlier, interrupted download (0 when it started afresh)"),
    }),
  }),
  hints: { readOnly: false, destructive: false, idempotent: true },
  defaultTimeoutMs: 10 * 60_000,
});

export const aiModelRemove = defineAction({
  name: "ai.model_remove",
  title: "Remove a model",
  description: "Deletes a model file (and any interrupted download of it) from the device's model store; refused while a running container serves it.",
  schemas: () => ({
    input: z.object({ name: ModelNameSchema }),
    output: z.object({ name: z.string(), removed: z.literal(true), freedBytes: z.number() }),
  }),
  hints: { readOnly: false, destructive: true, idempotent: false },
  defaultTimeoutMs: 15_000,
});

export const aiBenchmark = defineAction({
  name: "ai.benchmark",
  title: "Benchmark inference",
  description:
    "Runs TensorRT's trtexec on a model from the store (ONNX, or a serialized engine: .engine/.plan/.trt) and returns throughput and latency percentiles. Building an engine from ONNX can take minutes on a Jetson; progress tells the phase.",
  schemas: () => ({
    input: z.object({
      model: ModelNameSchema,
      precision: z.enum(["fp32", "fp16", "int8"]).default("fp16"),
      batch: z.number().int().min(1).max(256).optional().describe("Implicit batch size (--batch; TensorRT 8 only). For ONNX models use shapes"),
      shapes: z
        .string()
        .max(1_000)
        .regex(/^[A-Za-z0-9_./-]+:\d+(?:x\d+)*(?:,[A-Za-z0-9_./-]+:\d+(?:x\d+)*)*$/, "input:1x3x224x224[,input2:...]")
        .optional()
        .describe("Input shapes for dynamic-shape models (--shapes), e.g. images:4x3x640x640"),
      durationSeconds: z.number().int().min(1).max(120).default(3).describe("How long to time inference (--duration)"),
    }),
    output: BenchmarkReportSchema.extend({
      model: z.string(),
      precision: z.string(),
      batch: z.number().int().optional(),
      shapes: z.string().optional(),
    }),
  }),
  // Not read-only: it holds the GPU for the whole run, slowing whatever else serves on the device.
  hints: { readOnly: false, destructive: false, idempotent: true },
  defaultTimeoutMs: 10 * 60_000,
});

export const aiServe = defineAction({
  name: "ai.serve",
  title: "Serve a model",
  description:
    "Starts a model-serving container (for example Triton, nvcr.io/nvidia/tritonserver:<release>-py3-igpu) for a model in the store: NVIDIA runtime, the model store mounted read-only at /models, MODEL_NAME and MODEL_PATH set, the port published, restart unless stopped. The image must already be on the device.",
  schemas: () => ({
    input: z.object({
      model: ModelNameSchema,
      image: ImageRefSchema,
      name: ContainerRefSchema.optional(),
      port: z.number().int().min(1).max(65535).default(8000).describe("Port the server listens on, published on the device"),
      healthPath: z
        .string()
        .regex(/^\/[A-Za-z0-9_./?=&-]*$/)
        .optional()
        .describe("HTTP path that answers 2xx when the server is ready, e.g. /v2/health/ready for Triton"),
      command: z.array(z.string().max(4_096)).max(64).optional().describe("Command and arguments, replacing the image's CMD"),
      network: NetworkModeSchema.optional(),
    }),
    output: z.object({ id: z.string(), name: z.string(), model: z.string(), state: ContainerStateSchema, healthUrl: z.string().optional() }),
  }),
  hints: { readOnly: false, destructive: false, idempotent: false },
  destructiveWhen: ({ network }) => hostNetworkReason(network),
  defaultTimeoutMs: 60_000,
});

export const aiServeStatus = defineAction({
  name: "ai.serve_status",
  title: "Serving health",
  description:
    "Health of a model-serving container: its state, restarts, Docker health check, and the answer of its HTTP health URL when it has one.",
  schemas: () => ({
    input: z.object({ container: ContainerRefSchema }),
    output: z.object({
      container: z.string(),
      model: z.string().optional(),
      image: z.string(),
      state: ContainerStateSchema,
      running: z.boolean(),
      restartCount: z.number().int(),
      dockerHealth: z.string().optional(),
      http: z.object({ url: z.string(), ok: z.boolean(), status: z.number().int().optional(), error: z.string().optional() }).optional(),
      healthy: z.boolean().describe("Running, and every health signal it has is good"),
    }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 20_000,
});

export const aiActions = [aiInventory, aiModelList, aiModelDeploy, aiModelRemove, aiBenchmark, aiServe, aiServeStatus] as const;
