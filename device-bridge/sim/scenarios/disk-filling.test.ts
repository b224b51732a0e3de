import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createSimulatedJetson } from "../create.js";
import { runProgram } from "../testing.js";
import { DISK_FILLING, diskFilling } from "./disk-filling.js";

const asRoot = process.getuid?.() === 0;

/** The root row of `df -P -B1 -T`: size, used and capacity in percent. */
async function dfRoot(sim: Parameters<typeof runProgram>[0]): Promise<{ size: number; used: number; pct: number }> {
  const { stdout } = await runProgram(sim, "df", ["-P", "-B1", "-T"]);
  const row = stdout.split("\n").find((line) => line.endsWith(" /"))?.split(/\s+/) ?? [];
  return { size: Number(row[2]), used: Number(row[3]), pct: Number.parseInt(row[5] ?? "", 10) };
}

describe("the disk-filling scenario", () => {
  it.skipIf(!asRoot)("fills the board's own small root filesystem to its stop mark, and df says so", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "sim-disk-"));
    const root = path.join(dir, "root");
    await mkdir(root);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=32m", "tmpfs", root]);
    try {
      const sim = await createSimulatedJetson({ dir: root, board: "orin-nano-super-jp6", hostname: "disk-test" });
      expect(diskFilling.unavailable?.(root)).toBeUndefined();
      const before = await dfRoot(sim);
      expect(before.size).toBe(32 * 1024 ** 2);
      expect(before.pct).toBeLessThan(20);

      diskFilling.step(root, 30);
      expect((await dfRoot(sim)).pct).toBeGreaterThanOrEqual(45);

      diskFilling.step(root, 1_000);
      const full = await dfRoot(sim);
      expect(full.pct).toBeGreaterThanOrEqual(DISK_FILLING.stopPct);
      expect(full.pct).toBeLessThan(100);
    } finally {
      execFileSync("umount", [root]);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("never writes into a filesystem larger than its limit, and says why", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "sim-disk-"));
    try {
      const sim = await createSimulatedJetson({ dir, board: "orin-nano-super-jp6", hostname: "disk-test" });
      const before = await dfRoot(sim);
      expect(diskFilling.unavailable?.(dir)).toMatch(/needs one of its own of at most 1 GiB/);
      diskFilling.step(dir, 1_000);
      expect(await dfRoot(sim)).toEqual(before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
