/** What to run, after the handler has checked it (volume paths are canonical and allowed). */
export interface ContainerSpec {
  image: string;
  command?: string[];
  env?: Record<string, string>;
  ports?: Array<{ containerPort: number; hostPort?: number; protocol: string; hostIp?: string }>;
  mounts?: Array<{ source: string; target: string; readOnly: boolean }>;
  restart: "no" | "always" | "unless-stopped" | "on-failure";
  gpu: boolean;
  network?: string;
  labels?: Record<string, string>;
}

/** The body of POST /containers/create (Engine API v1.41) for a spec. */
export function createRequestBody(spec: ContainerSpec) {
  const ports = spec.ports ?? [];
  const key = (p: (typeof ports)[number]) => `${p.containerPort}/${p.protocol}`;
  return {
    Image: spec.image,
    ...(spec.command ? { Cmd: spec.command } : {}),
    Env: Object.entries(spec.env ?? {}).map(([name, value]) => `${name}=${value}`),
    Labels: spec.labels ?? {},
    ExposedPorts: Object.fromEntries(ports.map((p) => [key(p), {}])),
    HostConfig: {
      PortBindings: Object.fromEntries(
        ports.map((p) => [key(p), [{ HostIp: p.hostIp ?? "", HostPort: String(p.hostPort ?? p.containerPort) }]]),
      ),
      // Mounts rather than Binds: no "src:dst:ro" string for a path to break.
      Mounts: (spec.mounts ?? []).map((m) => ({ Type: "bind", Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
      RestartPolicy: { Name: spec.restart === "no" ? "" : spec.restart },
      ...(spec.gpu ? { Runtime: "nvidia" } : {}),
      ...(spec.network ? { NetworkMode: spec.network } : {}),
    },
  };
}
