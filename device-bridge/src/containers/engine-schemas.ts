import { z } from "zod";

// The parts of the Engine API's answers the bridge reads (Docker v1.41; podman's compat API agrees).
// Everything else in them is dropped; missing optional parts are normal across engines and versions.

const Labels = z.record(z.string(), z.string()).nullish();

/** A container's full id as the engine gave it; a caller's own string becomes one only through DockerEngine.inspectContainer. */
const ContainerIdSchema = z.string().brand<"ContainerId">();
export type ContainerId = z.infer<typeof ContainerIdSchema>;

export const EngineInfoSchema = z.object({
  ServerVersion: z.string().optional(),
  Runtimes: z.record(z.string(), z.unknown()).nullish(),
  DefaultRuntime: z.string().optional(),
});
export type EngineInfo = z.infer<typeof EngineInfoSchema>;

export const EnginePortSchema = z.object({
  IP: z.string().optional(),
  PrivatePort: z.number(),
  PublicPort: z.number().optional(),
  Type: z.string(),
});

export const EngineContainerSummarySchema = z.object({
  Id: ContainerIdSchema,
  Names: z.array(z.string()).nullish(),
  Image: z.string(),
  State: z.string(),
  Status: z.string(),
  Created: z.number().optional(),
  Ports: z.array(EnginePortSchema).nullish(),
  Labels,
});
export type EngineContainerSummary = z.infer<typeof EngineContainerSummarySchema>;

const DeviceRequestSchema = z.object({ Driver: z.string().optional(), Capabilities: z.array(z.array(z.string())).nullish() });
const PortBindingsSchema = z.record(z.string(), z.array(z.object({ HostIp: z.string().optional(), HostPort: z.string().optional() })).nullish());

export const EngineContainerInspectSchema = z.object({
  Id: ContainerIdSchema,
  Name: z.string(),
  Image: z.string(),
  Created: z.string().optional(),
  RestartCount: z.number().optional(),
  State: z.object({
    Status: z.string(),
    Running: z.boolean(),
    ExitCode: z.number().optional(),
    Error: z.string().optional(),
    StartedAt: z.string().optional(),
    FinishedAt: z.string().optional(),
    Health: z.object({ Status: z.string() }).nullish(),
  }),
  Config: z.object({
    Image: z.string().optional(),
    Tty: z.boolean().optional(),
    Cmd: z.array(z.string()).nullish(),
    Entrypoint: z.union([z.array(z.string()), z.string()]).nullish(),
    Env: z.array(z.string()).nullish(),
    Labels,
  }),
  HostConfig: z.object({
    Runtime: z.string().optional(),
    NetworkMode: z.string().optional(),
    RestartPolicy: z.object({ Name: z.string().optional(), MaximumRetryCount: z.number().optional() }).nullish(),
    DeviceRequests: z.array(DeviceRequestSchema).nullish(),
    PortBindings: PortBindingsSchema.nullish(),
  }),
  NetworkSettings: z.object({ Ports: PortBindingsSchema.nullish() }).nullish(),
  Mounts: z
    .array(z.object({ Type: z.string().optional(), Source: z.string().optional(), Destination: z.string(), RW: z.boolean().optional() }))
    .nullish(),
});
export type EngineContainerInspect = z.infer<typeof EngineContainerInspectSchema>;

const CpuStatsSchema = z.object({
  cpu_usage: z.object({ total_usage: z.number(), percpu_usage: z.array(z.number()).nullish() }),
  system_cpu_usage: z.number().optional(),
  online_cpus: z.number().optional(),
});

export const EngineStatsSchema = z.object({
  read: z.string().optional(),
  cpu_stats: CpuStatsSchema,
  precpu_stats: CpuStatsSchema.partial().nullish(),
  memory_stats: z
    .object({ usage: z.number().optional(), limit: z.number().optional(), stats: z.record(z.string(), z.number()).nullish() })
    .nullish(),
  networks: z.record(z.string(), z.object({ rx_bytes: z.number(), tx_bytes: z.number() })).nullish(),
  blkio_stats: z
    .object({ io_service_bytes_recursive: z.array(z.object({ op: z.string(), value: z.number() })).nullish() })
    .nullish(),
  pids_stats: z.object({ current: z.number().optional() }).nullish(),
});
export type EngineStats = z.infer<typeof EngineStatsSchema>;

export const EngineImageSummarySchema = z.object({
  Id: z.string(),
  RepoTags: z.array(z.string()).nullish(),
  Size: z.number(),
  Created: z.number().optional(),
});
export type EngineImageSummary = z.infer<typeof EngineImageSummarySchema>;

export const EngineImageInspectSchema = z.object({ Id: z.string(), RepoTags: z.array(z.string()).nullish(), Size: z.number() });

export const EngineCreatedSchema = z.object({ Id: ContainerIdSchema, Warnings: z.array(z.string()).nullish() });

/** One line of the JSON stream POST /images/create answers with. */
export const PullEventSchema = z.object({
  status: z.string().optional(),
  id: z.string().optional(),
  progressDetail: z.object({ current: z.number().optional(), total: z.number().optional() }).nullish(),
  error: z.string().optional(),
  errorDetail: z.object({ message: z.string().optional() }).nullish(),
});
export type PullEvent = z.infer<typeof PullEventSchema>;

export const EngineErrorBodySchema = z.object({ message: z.string() });

/** A container's name as the Engine writes it ("/name" in an inspect, each of Names in a listing), without its slash. */
export function containerName(engineName: string): string {
  return engineName.replace(/^\//, "");
}

/** A listed container as containers_list names it: its first name, or its short id when it has none. */
export function listedName(summary: Pick<EngineContainerSummary, "Names" | "Id">): string {
  return containerName(summary.Names?.[0] ?? summary.Id.slice(0, 12));
}
