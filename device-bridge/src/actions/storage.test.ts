import { afterEach, describe, expect, it } from "vitest";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";

let board: SimulatedBoard;
afterEach(() => board.remove());

describe("storage on a simulated AGX Orin", () => {
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
    expect((await board.calls()).at(-1)).toEqual({ program: "du", argv: ["-x", "-B1", "--max-depth=2", "--", "/var"] });
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
