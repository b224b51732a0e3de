import { type ContainerSummary, ContainerStateSchema } from "@jetson/protocol";
import { type EngineContainerInspect, type EngineContainerSummary, listedName } from "./engine-schemas.js";

type State = ContainerSummary["state"];

/** Engines name a few states their own way (podman says "configured" for created, "stopped" after a stop). */
const STATE_ALIASES = new Map<string, State>([
  ["configured", "created"],
  ["initialized", "created"],
  ["stopping", "running"],
]);

export function containerState(raw: string): State {
  const lower = raw.toLowerCase();
  const parsed = ContainerStateSchema.safeParse(lower);
  return parsed.success ? parsed.data : (STATE_ALIASES.get(lower) ?? "unknown");
}

/** The NVIDIA runtime, or a device request for NVIDIA GPUs (docker run --gpus). */
export function usesGpu(inspect: EngineContainerInspect): boolean {
  const requests = inspect.HostConfig.DeviceRequests ?? [];
  return (
    inspect.HostConfig.Runtime === "nvidia" ||
    requests.some((r) => r.Driver === "nvidia" || (r.Capabilities ?? []).some((caps) => caps.includes("gpu")))
  );
}

export function summarize(summary: EngineContainerSummary, inspect: EngineContainerInspect | undefined): ContainerSummary {
  return {
    id: summary.Id.slice(0, 12),
    name: listedName(summary),
    image: summary.Image,
    state: containerState(summary.State),
    status: summary.Status,
    createdAt: summary.Created === undefined ? undefined : new Date(summary.Created * 1000).toISOString(),
    ports: (summary.Ports ?? []).map((p) => ({
      containerPort: p.PrivatePort,
      hostPort: p.PublicPort,
      hostIp: p.IP || undefined,
      protocol: portProtocol(p.Type),
    })),
    runtime: inspect?.HostConfig.Runtime,
    gpu: inspect ? usesGpu(inspect) : false,
  };
}

/** Published ports of an inspected container, from its port bindings. */
export function inspectPorts(inspect: EngineContainerInspect): ContainerSummary["ports"] {
  const bindings = inspect.NetworkSettings?.Ports ?? inspect.HostConfig.PortBindings ?? {};
  return Object.entries(bindings).flatMap(([key, hosts]) => {
    const [port, protocol] = key.split("/");
    const base = { containerPort: Number(port), protocol: portProtocol(protocol) };
    if (!hosts?.length) return [base];
    return hosts.map((h) => ({ ...base, hostIp: h.HostIp || undefined, hostPort: h.HostPort ? Number(h.HostPort) : undefined }));
  });
}

function portProtocol(raw: string | undefined): ContainerSummary["ports"][number]["protocol"] {
  return raw === "udp" || raw === "sctp" ? raw : "tcp";
}
