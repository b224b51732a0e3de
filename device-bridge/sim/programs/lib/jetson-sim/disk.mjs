// The simulated board's storage: what df lists per mount, and a folder tree with sizes for du.
import { statfsSync, statSync } from "node:fs";
import path from "node:path";
import { archive } from "./packages.mjs";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** Root device and size per board: SD card on the Nano and Xavier NX, eMMC on the AGX Xavier and Orin, NVMe on the Orin NX / Nano and Thor. */
const ROOTS = {
  "nano-jp46": { device: "/dev/mmcblk0p1", sizeBytes: 59_521_826_816 },
  "xavier-nx-jp51": { device: "/dev/mmcblk1p1", sizeBytes: 62_259_494_912 },
  "agx-orin-jp6": { device: "/dev/mmcblk0p1", sizeBytes: 61_203_283_968, data: { device: "/dev/nvme0n1p1", sizeBytes: 983_349_657_600, usedBytes: 212_543_180_800 } },
  "orin-nano-super-jp6": { device: "/dev/nvme0n1p1", sizeBytes: 244_529_655_808 },
  "agx-xavier-jp51": { device: "/dev/mmcblk0p1", sizeBytes: 29_847_732_224 },
  "orin-nx-16gb-super-jp62": { device: "/dev/nvme0n1p1", sizeBytes: 491_048_452_096 },
  "agx-thor-jp7": { device: "/dev/nvme0n1p1", sizeBytes: 983_349_657_600 },
};

/**
 * Folders under / with the bytes of their own files; children inside. `denied` folders are root's
 * only (du cannot read them), `slowMs` ones hold so many small files that walking them takes that
 * long, `mount` ones are another filesystem (du -x does not go in).
 */
function tree(board) {
  return {
    own: 64 * 1024,
    children: {
      boot: { own: 96 * MiB },
      etc: { own: 14 * MiB },
      home: { own: 4096, children: { nvidia: { own: 120 * MiB, children: { models: { own: 2.8 * GiB }, datasets: { own: 6.4 * GiB, children: { "camera-7 clips": { own: 1.9 * GiB, slowMs: 8_000 } } }, ".cache": { own: 1.1 * GiB } } } } },
      opt: { own: 4096, children: { nvidia: { own: 1.3 * GiB, children: { deepstream: { own: 2.2 * GiB } } } } },
      root: { own: 48 * MiB, denied: true },
      tmp: { own: 22 * MiB },
      usr: {
        own: 4096,
        children: {
          bin: { own: 410 * MiB },
          lib: { own: 3.1 * GiB, children: { "aarch64-linux-gnu": { own: 5.6 * GiB } } },
          local: { own: 4096, children: { [`cuda-${board.cuda.split(".").slice(0, 2).join(".")}`]: { own: 4.9 * GiB } } },
          share: { own: 1.7 * GiB },
          src: { own: 2.3 * GiB },
        },
      },
      var: {
        own: 4096,
        children: {
          cache: { own: 4096, children: { apt: { own: 380 * MiB }, ldconfig: { own: 96 * 1024, denied: true } } },
          lib: { own: 160 * MiB, children: { docker: { own: 11.6 * GiB, denied: true }, apt: { own: 240 * MiB } } },
          log: { own: 920 * MiB, children: { journal: { own: 1.4 * GiB } } },
        },
      },
      mnt: { own: 4096, children: { nas: { own: 812 * GiB, mount: true } } },
    },
  };
}

/** du counts whole 4 KiB blocks. */
export function blocks(bytes) {
  return Math.ceil(bytes / 4096) * 4096;
}

/** The folder at a machine path, or undefined. */
export function folderAt(board, path) {
  let folder = tree(board);
  for (const name of path.split("/").filter(Boolean)) {
    folder = folder.children?.[name];
    if (!folder) return undefined;
  }
  return folder;
}

/** Bytes in use on the root filesystem: the image plus what was installed since. */
function rootUsed(board, admin) {
  const packages = archive(board);
  const installedKiB = Object.entries(admin.dpkg)
    .filter(([name, entry]) => entry.status === "ii " && packages[name]?.installed === undefined)
    .reduce((sum, [name]) => sum + packages[name].sizeKiB, 0);
  return Math.round(Math.min(0.9, 0.28 + board.memTotalKB / 400_000_000) * ROOTS[board.id].sizeBytes) + installedKiB * 1024;
}

/**
 * The real numbers of the simulated root's filesystem when the root is a mount point of its own
 * (the local stack gives a board whose disk fills a small filesystem), else undefined: the board's
 * root is then a folder on the host's disk, and the modelled numbers stand for its eMMC or NVMe.
 */
export function ownRootFilesystem(root) {
  if (statSync(root).dev === statSync(path.dirname(root)).dev) return undefined;
  const fs = statfsSync(root);
  return { size: fs.blocks * fs.bsize, used: (fs.blocks - fs.bfree) * fs.bsize, available: fs.bavail * fs.bsize };
}

/** Rows of `df -P -B1 -T`: [filesystem, type, size, used, available, mountpoint]. */
export function mounts(board, admin, ownRoot) {
  const root = ROOTS[board.id];
  const memory = board.memTotalKB * 1024;
  // ext4 keeps 5 % for root, so available < size - used.
  const ext4 = (device, size, used, mountpoint) => [device, "ext4", size, used, Math.max(0, Math.round(size * 0.95) - used), mountpoint];
  const tmpfs = (size, used, mountpoint) => [mountpoint === "/dev" ? "none" : "tmpfs", mountpoint === "/dev" ? "devtmpfs" : "tmpfs", size, used, size - used, mountpoint];
  return [
    ownRoot ? [root.device, "ext4", ownRoot.size, ownRoot.used, ownRoot.available, "/"] : ext4(root.device, root.sizeBytes, rootUsed(board, admin), "/"),
    tmpfs(Math.round(memory * 0.48), 0, "/dev"),
    tmpfs(Math.round(memory * 0.5), 118_784, "/dev/shm"),
    tmpfs(Math.round(memory * 0.1), 19_632_128, "/run"),
    tmpfs(5_242_880, 4096, "/run/lock"),
    ...(root.data ? [ext4(root.data.device, root.data.sizeBytes, root.data.usedBytes, "/data")] : []),
    tmpfs(Math.round(memory * 0.1), 118_784, "/run/user/1000"),
  ];
}
