import { appendFileSync, mkdirSync, statfsSync } from "node:fs";
import path from "node:path";
import type { Scenario } from "./scenario.js";

/** A recorder that never rotates: its file grows until the root filesystem is nearly full. */
export const DISK_FILLING = {
  file: "/home/nvidia/recordings/camera-3.mkv",
  /** Percent of the filesystem written per scenario second. */
  pctPerS: 1.5,
  /** Where the recorder stops (its writes fail), short of 100 % so the board's own files still fit. */
  stopPct: 95,
  /** The real bytes go to the root's filesystem: never fill one larger than this (the host's own disk). */
  maxFilesystemBytes: 1024 ** 3,
};

function usage(root: string): { total: number; used: number } {
  const fs = statfsSync(root);
  return { total: fs.blocks * fs.bsize, used: (fs.blocks - fs.bfree) * fs.bsize };
}

export const diskFilling: Scenario = {
  describe: `a recording that never rotates fills the root filesystem to ${DISK_FILLING.stopPct} %`,
  unavailable(root) {
    const { total } = usage(root);
    return total > DISK_FILLING.maxFilesystemBytes
      ? `its root is on a ${Math.round(total / 1024 ** 3)} GiB filesystem; it needs one of its own of at most 1 GiB (the local stack mounts one when it runs as root)`
      : undefined;
  },
  step(root, elapsedS) {
    if (this.unavailable?.(root) !== undefined) return;
    const { total, used } = usage(root);
    const target = (Math.min(DISK_FILLING.stopPct, DISK_FILLING.pctPerS * elapsedS) / 100) * total;
    if (target <= used) return;
    const file = path.join(root, DISK_FILLING.file);
    mkdirSync(path.dirname(file), { recursive: true });
    appendFileSync(file, Buffer.alloc(Math.round(target - used)));
  },
};
