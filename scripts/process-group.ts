import { readdir, readFile } from "node:fs/promises";

/** Clock ticks per second of /proc/<pid>/stat's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * The resident memory (MiB) and CPU time used so far (seconds, user and system) of the processes
 * named `name` in process group `group` whose command line `only` accepts (all by default), summed;
 * zeros when none runs.
 */
export async function groupUsage(
  group: number,
  name: string,
  only: (commandLine: string) => boolean = () => true,
): Promise<{ residentMiB: number; cpuSeconds: number }> {
  let kib = 0;
  let ticks = 0;
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const read = (file: string) => readFile(`/proc/${entry}/${file}`, "utf8");
    const [stat, status, commandLine] = await Promise.all([read("stat"), read("status"), read("cmdline")]).catch(() => ["", "", ""] as const);
    // stat: "pid (comm) state ppid pgrp ... utime stime ..."; the name may hold spaces, so split after its closing parenthesis.
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (comm !== name || Number(fields[2]) !== group || !only(commandLine)) continue;
    kib += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return { residentMiB: Math.round(kib / 1024), cpuSeconds: ticks / TICKS_PER_SECOND };
}
