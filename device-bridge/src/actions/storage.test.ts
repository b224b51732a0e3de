import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { findAction } from "@jetson/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { NodeHost } from "../host/node-host.js";
import { createWorkloads } from "../workloads.js";
import { handlers } from "./index.js";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";
import type { ActionContext } from "./types.js";

const run = promisify(execFile);

describe("storage on a simulated AGX Orin", () => {
  let board: SimulatedBoard;
  afterEach(() => board.remove());

  it("reports usage per mount, memory filesystems only when asked", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    const { mounts } = await board.run("storage.usage", {});
    expect(mounts.map((m) => `${m.mountpoint} ${m.type}`)).toEqual(["/ ext4", "/data ext4"]);
    const root = mounts[0];
    expect(root).toMatchObject({ filesystem: "/dev/mmcblk0p1", sizeBytes: 61_203_283_968 });
    expect((root?.usedBytes ?? 0) + (root?.availableBytes ?? 0)).toBeLessThan(root?.sizeBytes ?? 0);
    expect(root?.usePercent).toBeGreaterThan(0);
    const all = await board.run("storage.usage", { all: true });
    expect(all.mounts.map((m) => m.mountpoint)).toContain("/dev/shm");
  });

  it("grows the root's use as packages are installed", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    const used = async () => (await board.run("storage.usage", {})).mounts[0]?.usedBytes ?? 0;
    const before = await used();
    await board.run("packages.install", { names: ["htop"], tailLines: 0 });
    expect((await used()) - before).toBe((342 + 63) * 1024);
  });

  it("lists the largest folders under a path, largest first, with unreadable ones apart", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    const result = await board.run("storage.largest", { path: "/var/", depth: 2, count: 3 });
    expect(result.path).toBe("/var");
    expect(result.complete).toBe(true);
    expect(result.folders.map((f) => f.path)).toEqual(["/var/log", "/var/log/journal", "/var/lib"]);
    expect(result.folders[0]?.bytes).toBeGreaterThan(result.folders[1]?.bytes ?? Infinity);
    expect(result.totalBytes).toBeGreaterThan(result.folders[0]?.bytes ?? Infinity);
    expect(result.unreadable).toEqual(["/var/cache/ldconfig", "/var/lib/docker"]);
    expect((await board.calls()).at(-1)).toEqual({ program: "du", argv: ["-0", "-x", "-B1", "--max-depth=2", "--", "/var"] });
  });

  it("stops at the time limit and returns what du finished", async () => {
    board = await simulatedBoard("agx-orin-jp6");
    // /home/nvidia/datasets holds a folder of many small files that takes du 8 s to walk.
    const result = await board.run("storage.largest", { path: "/home", depth: 3, timeoutSeconds: 5 });
    expect(result.complete).toBe(false);
    expect(result.totalBytes).toBeUndefined();
    expect(result.folders.map((f) => f.path)).toContain("/home/nvidia/models");
  }, 15_000);

  it("refuses paths outside storage.roots and says when a folder is missing", async () => {
    board = await simulatedBoard("agx-orin-jp6", undefined, { storage: { roots: ["/home", "/var/log"] } });
    await expect(board.run("storage.largest", { path: "/var" })).rejects.toMatchObject({
      code: "permission_denied",
      message: "/var is outside the folders this device lets storage_largest measure (storage.roots: /home, /var/log).",
    });
    await expect(board.run("storage.largest", { path: "/var/logs-old" })).rejects.toMatchObject({ code: "permission_denied" });
    await expect(board.run("storage.largest", { path: "/var/../etc" })).rejects.toThrow(/without .. segments/);
    expect(await board.calls()).toEqual([]);
    await expect(board.run("storage.largest", { path: "/home/nobody" })).rejects.toMatchObject({ code: "invalid_input", message: "There is no folder /home/nobody on the device." });
  });
});

/** The storage handlers' context on this machine, with storage.roots `roots`. */
function localContext(dir: string, roots: string[]): ActionContext {
  return {
    host: new NodeHost({ root: "/", programDirs: ["/usr/bin", "/bin"], defaultTimeoutMs: 10_000, defaultMaxOutputBytes: 1 << 20 }),
    workloads: createWorkloads({ docker: { socket: path.join(dir, "no-engine"), volumeRoots: [] }, models: { dir: path.join(dir, "models"), minFreeBytes: 0 }, storage: { roots } }),
    signal: new AbortController().signal,
  } as unknown as ActionContext;
}

function largestOn(dir: string, roots: string[]) {
  const context = localContext(dir, roots);
  return (asked: string) => handlers["storage.largest"](findAction("storage.largest")!.input.parse({ path: asked, depth: 1 }) as never, context);
}

describe("storage.largest with this machine's own du and realpath", () => {
  it("measures only where a path leads inside storage.roots: a link in a root that leads out of it is refused", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "storage-roots-"));
    try {
      const root = path.join(dir, "root");
      await mkdir(path.join(root, "data/inner"), { recursive: true });
      await mkdir(path.join(dir, "outside/secrets"), { recursive: true });
      // As /var/run -> /run is on Ubuntu: a link inside a root to a folder outside every root.
      await symlink(path.join(dir, "outside"), path.join(root, "elsewhere"));
      const largest = largestOn(dir, [root]);

      for (const asked of [`${root}/elsewhere`, `${root}/elsewhere/.`, `${root}/elsewhere/secrets`]) {
        await expect(largest(asked), asked).rejects.toMatchObject({ code: "permission_denied", message: expect.stringContaining(`it leads to ${dir}/outside`) });
      }
      expect(await largest(`${root}/data/`)).toMatchObject({ path: `${root}/data`, folders: [{ path: `${root}/data/inner` }], complete: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a link whose target holds a line break and leads out of the roots: the break does not split where it leads", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "storage-break-"));
    try {
      const root = path.join(dir, "root");
      await mkdir(path.join(root, "data"), { recursive: true });
      await mkdir(path.join(dir, "outside\n", "secrets"), { recursive: true });
      await symlink(`${dir}/outside\n/`, path.join(root, "trap"));
      const largest = largestOn(dir, [root]);
      await expect(largest(`${root}/trap`)).rejects.toMatchObject({ code: "permission_denied", message: expect.stringContaining(`it leads to ${dir}/outside\n`) });
      expect(await largest(`${root}/data`)).toMatchObject({ path: `${root}/data`, complete: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("storage.largest with this machine's own du: names with line breaks", () => {
  it("reports a folder whose name holds a line break as itself, inventing no other", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "storage-du-"));
    try {
      const root = path.join(dir, "root");
      const odd = path.join(root, "a\n987654321098\tx");
      await mkdir(odd, { recursive: true });
      const result = await largestOn(dir, [root])(root);
      expect(result.folders).toEqual([{ path: odd, bytes: 4096 }]);
      expect(result.totalBytes).toBe(8192);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(process.getuid?.() !== 0)("storage.usage with this machine's own df (needs root to mount a tmpfs)", () => {
  it("lists every mount when one's filesystem name holds a space (sshfs, rclone, davfs)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "storage-df-"));
    const mountpoint = path.join(dir, "mnt");
    await mkdir(mountpoint);
    await run("mount", ["-t", "tmpfs", "-o", "size=1m", "my drive", mountpoint]);
    try {
      const { mounts } = await handlers["storage.usage"](findAction("storage.usage")!.input.parse({ all: true }) as never, localContext(dir, ["/"]));
      expect(mounts.find((m) => m.mountpoint === mountpoint)).toMatchObject({ filesystem: "my drive", type: "tmpfs", sizeBytes: 1 << 20 });
      expect(mounts.find((m) => m.mountpoint === "/")).toBeDefined();
    } finally {
      await run("umount", [mountpoint]);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
