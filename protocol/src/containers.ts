import { z } from "zod";
import { deviceText } from "./device-text.js";

// Container payloads of the catalogue's containers.* actions (catalogue/containers.ts).

/** A container's name or id, as Docker accepts them (it also becomes part of an Engine API path). */
export const ContainerRefSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, "a container name or id: letters, digits, _ . -")
  .describe("Container name, or its id as containers_list shows it (at least 12 characters); a name wins over an id");

/** An image reference: [registry[:port]/]path[:tag][@sha256:digest], lower-case path as Docker requires. */
export const ImageRefSchema = z
  .string()
  .max(255)
  .regex(
    /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/,
    "an image reference such as nvcr.io/nvidia/l4t-base:r36.2.0",
  )
  .describe("Image reference, e.g. nvcr.io/nvidia/l4t-pytorch:r35.2.1-pth2.0-py3 or dustynv/ollama:r36.4.0");

export const ContainerStateSchema = z.enum(["created", "running", "paused", "restarting", "removing", "exited", "dead", "stopped", "unknown"]);

export const PortMappingSchema = z.object({
  containerPort: z.number().int().min(1).max(65535),
  hostPort: z.number().int().min(1).max(65535).optional(),
  hostIp: z.string().optional(),
  protocol: z.enum(["tcp", "udp", "sctp"]),
});

export const ContainerSummarySchema = z.object({
  id: deviceText(128),
  name: deviceText(128),
  image: deviceText(255),
  state: ContainerStateSchema,
  status: deviceText(128).describe("Docker's human status, e.g. 'Up 3 hours' or 'Exited (0) 2 minutes ago'"),
  createdAt: z.string().optional(),
  ports: z.array(PortMappingSchema),
  runtime: z.string().optional().describe("OCI runtime the container runs under (runc, nvidia, ...)"),
  gpu: z.boolean().describe("Uses the NVIDIA runtime or requests NVIDIA devices"),
});
export type ContainerSummary = z.infer<typeof ContainerSummarySchema>;

export const LogLineSchema = z.object({
  stream: z.enum(["stdout", "stderr"]),
  time: z.string().optional(),
  text: z.string(),
});
export type LogLine = z.infer<typeof LogLineSchema>;

export const ContainerStatsSchema = z.object({
  container: z.string(),
  cpuPercent: z.number().describe("Share of one CPU, as docker stats shows it (can exceed 100 on several cores)"),
  onlineCpus: z.number().int(),
  memory: z.object({
    usageBytes: z.number().describe("Usage without the page cache the kernel can drop"),
    limitBytes: z.number(),
    percent: z.number(),
  }),
  network: z.object({ rxBytes: z.number(), txBytes: z.number() }),
  blockIo: z.object({ readBytes: z.number(), writeBytes: z.number() }),
  pids: z.number().int().optional(),
});
export type ContainerStats = z.infer<typeof ContainerStatsSchema>;

export const ImageSummarySchema = z.object({
  id: z.string(),
  tags: z.array(z.string()),
  sizeBytes: z.number(),
  createdAt: z.string().optional(),
});
export type ImageSummary = z.infer<typeof ImageSummarySchema>;

export const VolumeSchema = z.object({
  hostPath: z.string().startsWith("/").describe("Folder on the device: one of the bridge's docker.volumeRoots itself (not a folder inside one)"),
  containerPath: z.string().startsWith("/").describe("Where it appears inside the container"),
  readOnly: z.boolean().default(false),
});
