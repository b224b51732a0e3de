import type { MountUsage } from "@jetson/protocol";

// `df -P -B1 -T`: Filesystem Type 1-blocks Used Available Capacity Mounted-on; the mount point may hold spaces.
const ROW = /^(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+%|-)\s+(.+)$/;

export function parseDf(text: string): MountUsage[] {
  const [header = "", ...rows] = text.split("\n");
  if (!/^Filesystem\s+Type\s+1-blocks\s/.test(header)) throw new Error(`df: unexpected header ${JSON.stringify(header)}`);
  return rows
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const m = ROW.exec(line);
      if (!m) throw new Error(`df: cannot read line ${JSON.stringify(line)}`);
      const percent = m[6] as string;
      return {
        filesystem: m[1] as string,
        type: m[2] as string,
        sizeBytes: Number(m[3]),
        usedBytes: Number(m[4]),
        availableBytes: Number(m[5]),
        usePercent: percent === "-" ? undefined : Number.parseInt(percent, 10),
        mountpoint: m[7] as string,
      };
    });
}
