import { z } from "zod";
import {
  ContainerRefSchema,
  ContainerStateSchema,
  ContainerStatsSchema,
  ContainerSummarySchema,
  ImageRefSchema,
  ImageSummarySchema,
  LogLineSchema,
  VolumeSchema,
} from "../containers.js";
import { type ActionHints, defineAction, READ_ONLY } from "./define.js";

/** Changes what runs on the device; doing it twice is the same as once. */
const CONTROL: ActionHints = { readOnly: false, destructive: false, idempotent: true };

const MountSchema = z.object({
  type: z.string(),
  source: z.string(),
  destination: z.string(),
  readOnly: z.boolean(),
});

const ContainerStatusSchema = z.object({
  container: z.string(),
  state: ContainerStateSchema,
  changed: z.boolean().describe("False when the container was already in the asked state"),
});

const stopGrace = z
  .number()
  .int()
  .min(0)
  .max(300)
  .default(10)
  .describe("Seconds to wait after SIGTERM before the engine kills the container");

export const containersList = defineAction({
  name: "containers.list",
  title: "List containers",
  description:
    "Containers on the device through the Docker Engine API: name, image, state, status, published ports, and whether each uses the NVIDIA runtime (GPU access).",
  schemas: () => ({
    input: z.object({ all: z.boolean().default(true).describe("Include stopped containers") }),
    output: z.object({ containers: z.array(ContainerSummarySchema) }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 20_000,
});

export const containersInspect = defineAction({
  name: "containers.inspect",
  title: "Inspect a container",
  description:
    "One container in detail: image, state (exit code, start and finish times, health), command, restart policy, runtime, ports, mounts, labels. Environment variable names are listed without their values, which often hold secrets.",
  schemas: () => ({
    input: z.object({ container: ContainerRefSchema }),
    output: ContainerSummarySchema.omit({ status: true }).extend({
      imageId: z.string(),
      running: z.boolean(),
      exitCode: z.number().int().optional(),
      startedAt: z.string().optional(),
      finishedAt: z.string().optional(),
      error: z.string().optional(),
      health: z.string().optional().describe("Docker HEALTHCHECK status, when the image defines one"),
      restartCount: z.number().int(),
      restartPolicy: z.string(),
      command: z.array(z.string()),
      entrypoint: z.array(z.string()),
      envNames: z.array(z.string()),
      networkMode: z.string().optional(),
      mounts: z.array(MountSchema),
      labels: z.record(z.string(), z.string()),
    }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 15_000,
});

export const containersStart = defineAction({
  name: "containers.start",
  title: "Start a container",
  description: "Starts a created or stopped container. Starting a running container changes nothing.",
  schemas: () => ({
    input: z.object({ container: ContainerRefSchema }),
    output: ContainerStatusSchema,
  }),
  hints: CONTROL,
  defaultTimeoutMs: 30_000,
});

export const containersStop = defineAction({
  name: "containers.stop",
  title: "Stop a container",
  description: "Stops a running container (SIGTERM, then SIGKILL after the grace period). Stopping a stopped container changes nothing.",
  schemas: () => ({
    input: z.object({ container: ContainerRefSchema, graceSeconds: stopGrace }),
    output: ContainerStatusSchema,
  }),
  hints: CONTROL,
  defaultTimeoutMs: 60_000,
});

export const containersRestart = defineAction({
  name: "containers.restart",
  title: "Restart a container",
  description: "Stops (with the grace period) and starts a container again.",
  schemas: () => ({
    input: z.object({ container: ContainerRefSchema, graceSeconds: stopGrace }),
    output: ContainerStatusSchema,
  }),
  hints: { readOnly: false, destructive: false, idempotent: false },
  defaultTimeoutMs: 60_000,
});

export const containersRemove = defineAction({
  name: "containers.remove",
  title: "Remove a container",
  description:
    "Deletes a container and its writable layer; whatever it wrote outside its volumes is lost. A running container is refused unless force is set.",
  schemas: () => ({
    input: z.object({
      container: ContainerRefSchema,
      force: z.boolean().default(false).describe("Kill the container first if it is running"),
      removeVolumes: z.boolean().default(false).describe("Also delete the anonymous volumes it created"),
    }),
    output: z.object({ container: z.string(), removed: z.literal(true) }),
  }),
  hints: { readOnly: false, destructive: true, idempotent: false },
  defaultTimeoutMs: 30_000,
});

export const containersLogs = defineAction({
  name: "containers.logs",
  title: "Container logs",
  description:
    "The last lines a container printed, with their stream (stdout or stderr) and time. Cut to maxBytes, keeping the newest lines.",
  schemas: () => ({
    input: z.object({
      container: ContainerRefSchema,
      tail: z.number().int().min(1).max(10_000).default(200).describe("How many of the last lines to read"),
      since: z
        .union([z.iso.datetime({ offset: true }), z.string().regex(/^\d{1,6}[smhd]$/)])
        .optional()
        .describe("Only lines after this: an ISO 8601 time, or a span back from now such as 90s, 15m, 2h, 1d"),
      maxBytes: z.number().int().min(1_024).max(512 * 1024).default(64 * 1024).describe("Cap on the text returned"),
    }),
    output: z.object({
      container: z.string(),
      lines: z.array(LogLineSchema),
      truncated: z.boolean().describe("Older lines were left out to stay under maxBytes"),
    }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 30_000,
});

export const containersStats = defineAction({
  name: "containers.stats",
  title: "Container resource usage",
  description:
    "A snapshot of one running container's CPU %, memory (usage, limit, %), network and block I/O totals, computed from the Engine's raw stats over about one second.",
  schemas: () => ({
    input: z.object({ container: ContainerRefSchema }),
    output: ContainerStatsSchema,
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 20_000,
});

export const containersImages = defineAction({
  name: "containers.images",
  title: "List images",
  description: "Container images stored on the device, with their tags and sizes.",
  schemas: () => ({
    input: z.object({}),
    output: z.object({ images: z.array(ImageSummarySchema) }),
  }),
  hints: READ_ONLY,
  defaultTimeoutMs: 20_000,
});

export const containersPull = defineAction({
  name: "containers.pull",
  title: "Pull an image",
  description:
    "Downloads an image from its registry onto the device, reporting download progress. Without a tag, pulls :latest. Jetson images come from nvcr.io (l4t-base, l4t-pytorch, l4t-tensorrt) or jetson-containers (dustynv/...); pick a tag that matches the device's L4T release.",
  schemas: () => ({
    input: z.object({ image: ImageRefSchema }),
    output: z.object({ image: z.string(), id: z.string(), sizeBytes: z.number() }),
  }),
  hints: CONTROL,
  defaultTimeoutMs: 10 * 60_000,
});

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name");

/** A container's network: every action that starts one takes it, and asks for confirmation for the host's. */
export const NetworkModeSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/)
  .describe("Network mode: bridge (default), host, none, or a network's name");

/** Why a container started with this network needs a confirmation: the host's network reaches past it. */
export function hostNetworkReason(network: string | undefined): string | undefined {
  return network?.toLowerCase() === "host"
    ? `is destructive with network "host" (the container would share the host's network: every interface, port and local service of the device)`
    : undefined;
}

export const containersRun = defineAction({
  name: "containers.run",
  title: "Run a container",
  description:
    "Creates and starts a container from an image already on the device (pull it first). gpu: true runs it under the NVIDIA runtime for CUDA/TensorRT access. Volumes may only mount the folders the bridge's configuration lists (docker.volumeRoots), each as a whole.",
  schemas: () => ({
    input: z.object({
      image: ImageRefSchema,
      name: ContainerRefSchema.optional().describe("Container name; the engine picks one when absent"),
      command: z.array(z.string().max(4_096)).max(64).optional().describe("Command and arguments, replacing the image's CMD"),
      env: z.record(envName, z.string().max(4_096)).optional().describe("Environment variables"),
      ports: z
        .array(
          z.object({
            containerPort: z.number().int().min(1).max(65535),
            hostPort: z.number().int().min(1).max(65535).optional().describe("Defaults to the container port"),
            protocol: z.enum(["tcp", "udp"]).default("tcp"),
            hostIp: z.ipv4().optional().describe("Listen only on this address of the device"),
          }),
        )
        .max(32)
        .optional(),
      volumes: z.array(VolumeSchema).max(16).optional(),
      restart: z.enum(["no", "always", "unless-stopped", "on-failure"]).default("no").describe("Restart policy"),
      gpu: z.boolean().default(false).describe("Run under the NVIDIA container runtime (GPU, CUDA, TensorRT)"),
      network: NetworkModeSchema.optional(),
    }),
    output: z.object({ id: z.string(), name: z.string(), state: ContainerStateSchema, warnings: z.array(z.string()) }),
  }),
  hints: { readOnly: false, destructive: false, idempotent: false },
  // Of what this schema allows, only the host's network reaches past the container (no privileged
  // mode, capabilities, devices, host PID or IPC; volumes only under the configured roots).
  destructiveWhen: ({ network }) => hostNetworkReason(network),
  defaultTimeoutMs: 60_000,
});

export const containerActions = [
  containersList,
  containersInspect,
  containersStart,
  containersStop,
  containersRestart,
  containersRemove,
  containersLogs,
  containersStats,
  containersImages,
  containersPull,
  containersRun,
] as const;
