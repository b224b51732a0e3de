import type { ContainerStats } from "@jetson/protocol";
import type { EngineStats } from "./engine-schemas.js";

type CpuSample = Pick<EngineStats["cpu_stats"], "cpu_usage" | "system_cpu_usage">;

/** Whether precpu_stats holds a real earlier sample (podman, and Docker with one-shot, leave it empty). */
export function hasPreviousCpu(stats: EngineStats): boolean {
  return (stats.precpu_stats?.system_cpu_usage ?? 0) > 0 && stats.precpu_stats?.cpu_usage !== undefined;
}

/**
 * docker stats' arithmetic on the raw stats JSON: CPU % is the container's share of the
 * host's CPU time between two samples times the online CPUs; memory leaves out the page
 * cache the kernel can reclaim (inactive_file on cgroup v2, total_inactive_file on v1).
 */
export function computeStats(container: string, current: EngineStats, previous?: CpuSample): ContainerStats {
  const before = previous ?? (hasPreviousCpu(current) ? current.precpu_stats : undefined);
  const onlineCpus = current.cpu_stats.online_cpus ?? current.cpu_stats.cpu_usage.percpu_usage?.length ?? 1;
  const cpuDelta = current.cpu_stats.cpu_usage.total_usage - (before?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (current.cpu_stats.system_cpu_usage ?? 0) - (before?.system_cpu_usage ?? 0);
  const cpuPercent = before && systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * onlineCpus * 100 : 0;

  const memory = current.memory_stats ?? {};
  const cache = memory.stats?.inactive_file ?? memory.stats?.total_inactive_file ?? 0;
  const usageBytes = Math.max(0, (memory.usage ?? 0) - cache);
  const limitBytes = memory.limit ?? 0;

  const networks = Object.values(current.networks ?? {});
  const blockIo = current.blkio_stats?.io_service_bytes_recursive ?? [];
  const sumOp = (op: string) => blockIo.filter((entry) => entry.op.toLowerCase() === op).reduce((sum, entry) => sum + entry.value, 0);

  return {
    container,
    cpuPercent: round(cpuPercent),
    onlineCpus,
    memory: { usageBytes, limitBytes, percent: limitBytes > 0 ? round((usageBytes / limitBytes) * 100) : 0 },
    network: {
      rxBytes: networks.reduce((sum, n) => sum + n.rx_bytes, 0),
      txBytes: networks.reduce((sum, n) => sum + n.tx_bytes, 0),
    },
    blockIo: { readBytes: sumOp("read"), writeBytes: sumOp("write") },
    pids: current.pids_stats?.current,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
