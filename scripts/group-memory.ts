import { readdir, readFile } from "node:fs/promises";

/** The resident memory (MiB) of the processes named `name` in process group `group`, summed; 0 when none runs. */
export async function groupResidentMiB(group: number, name: string): Promise<number> {
  let kib = 0;
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const [stat, status] = await Promise.all([readFile(`/proc/${entry}/stat`, "utf8"), readFile(`/proc/${entry}/status`, "utf8")]).catch(() => ["", ""]);
    // stat: "pid (comm) state ppid pgrp ..."; the name may hold spaces, so split after its closing parenthesis.
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
    if (comm !== name || pgrp !== group) continue;
    kib += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return Math.round(kib / 1024);
}
