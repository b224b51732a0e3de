import type { ProcessInfo } from "@jetson/protocol";

/** The columns processes.* ask ps for; the command goes last because a name may hold spaces. */
export const PS_COLUMNS = "pid,ppid,user:32,pcpu,pmem,rss,comm";

const ROW = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s+(.*)$/;

/** `ps -eo PS_COLUMNS`: the header line, then one process per line. */
export function parsePs(text: string): ProcessInfo[] {
  const [header = "", ...rows] = text.split("\n");
  if (!/^\s*PID\s+PPID\s+USER\s+%CPU\s+%MEM\s+RSS\s+COMMAND/.test(header)) throw new Error(`ps: unexpected header ${JSON.stringify(header)}`);
  return rows
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const m = ROW.exec(line);
      if (!m) throw new Error(`ps: cannot read line ${JSON.stringify(line)}`);
      return {
        pid: Number(m[1]),
        ppid: Number(m[2]),
        user: m[3] as string,
        cpuPercent: Number(m[4]),
        memPercent: Number(m[5]),
        rssKiB: Number(m[6]),
        command: (m[7] as string).trimEnd(),
      };
    });
}
