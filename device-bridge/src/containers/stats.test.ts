import { describe, expect, it } from "vitest";
import { EngineStatsSchema } from "./engine-schemas.js";
import { computeStats, hasPreviousCpu } from "./stats.js";

// Docker on cgroup v2 (as on JetPack 6): precpu_stats from the engine's previous read.
const docker = EngineStatsSchema.parse({
  read: "2026-11-23T23:38:01.0Z",
  cpu_stats: { cpu_usage: { total_usage: 2_400_000_000 }, system_cpu_usage: 110_000_000_000, online_cpus: 6 },
  precpu_stats: { cpu_usage: { total_usage: 1_800_000_000 }, system_cpu_usage: 104_000_000_000, online_cpus: 6 },
  memory_stats: { usage: 300 * 1024 * 1024, limit: 8 * 1024 * 1024 * 1024, stats: { inactive_file: 100 * 1024 * 1024, active_file: 5 } },
  networks: { eth0: { rx_bytes: 1000, tx_bytes: 200 }, eth1: { rx_bytes: 24, tx_bytes: 6 } },
  blkio_stats: {
    io_service_bytes_recursive: [
      { major: 179, minor: 0, op: "read", value: 4096 },
      { major: 179, minor: 0, op: "write", value: 8192 },
      { major: 259, minor: 0, op: "read", value: 1 },
    ],
  },
  pids_stats: { current: 7 },
});

describe("container stats from the raw stats JSON", () => {
  it("computes CPU %, memory without cache, network and block I/O as docker stats does", () => {
    expect(hasPreviousCpu(docker)).toBe(true);
    expect(computeStats("web", docker)).toEqual({
      container: "web",
      // 0.6 s of container CPU in 6 s of all-CPU time, times 6 CPUs: 60 % of one CPU.
      cpuPercent: 60,
      onlineCpus: 6,
      memory: { usageBytes: 200 * 1024 * 1024, limitBytes: 8 * 1024 * 1024 * 1024, percent: 2.44 },
      network: { rxBytes: 1024, txBytes: 206 },
      blockIo: { readBytes: 4097, writeBytes: 8192 },
      pids: 7,
    });
  });

  it("subtracts total_inactive_file on cgroup v1 (JetPack 4 and 5) and reads capitalised blkio ops", () => {
    const v1 = EngineStatsSchema.parse({
      cpu_stats: { cpu_usage: { total_usage: 10, percpu_usage: [5, 5, 0, 0] }, system_cpu_usage: 1000 },
      memory_stats: { usage: 1000, limit: 4000, stats: { total_inactive_file: 200, cache: 300 } },
      blkio_stats: { io_service_bytes_recursive: [{ op: "Read", value: 10 }, { op: "Write", value: 20 }, { op: "Total", value: 30 }] },
    });
    const stats = computeStats("old", v1);
    expect(stats.memory).toEqual({ usageBytes: 800, limitBytes: 4000, percent: 20 });
    expect(stats.blockIo).toEqual({ readBytes: 10, writeBytes: 20 });
    expect(stats.onlineCpus).toBe(4);
  });

  it("compares two samples when the engine sends no previous one (podman)", () => {
    const first = EngineStatsSchema.parse({
      cpu_stats: { cpu_usage: { total_usage: 51_127_376 }, system_cpu_usage: 1_634_651_165_008, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 0 }, cpu: 0 },
      memory_stats: { usage: 839_680, limit: 25_276_502_016 },
    });
    expect(hasPreviousCpu(first)).toBe(false);
    expect(computeStats("t1", first).cpuPercent).toBe(0);
    const second = EngineStatsSchema.parse({
      cpu_stats: { cpu_usage: { total_usage: 51_127_376 + 500_000_000 }, system_cpu_usage: 1_634_651_165_008 + 2_000_000_000, online_cpus: 2 },
    });
    expect(computeStats("t1", second, first.cpu_stats).cpuPercent).toBe(50);
  });
});
