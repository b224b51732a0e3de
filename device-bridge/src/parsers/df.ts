import type { MountUsage } from "@jetson/protocol";

// `df -P -B1 -T`: Filesystem Type 1-blocks Used Available Capacity Mounted-on. The filesystem
// (sshfs, rclone, davfs sources) and the mount point may both hold spaces: a row is read from the
// first type followed by the four numbers and an absolute mount point; a type never holds a space.
const ROW = /^(.+?)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+%|-)\s+(\/.*)$/;

/** The mounts df lists; a row it cannot read is left out rather than failing every other. */
export function parseDf(text: string): MountUsage[] {
  const [header = "", ...rows] = text.split("\n");
  if (!/^Filesystem\s+Type\s+1-blocks\s/.test(header)) throw new Error(`df: unexpected header ${JSON.stringify(header)}`);
  return rows.flatMap((line) => {
    const m = ROW.exec(line);
    if (!m) return [];
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
