import { execFile } from "node:child_process";
import { lstat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { tempJetson } from "./testing.js";

const run = promisify(execFile);

describe("node on the simulated board", () => {
  it("is there when the operator installed it: the host's Node, by its path in usr/bin", async () => {
    const sim = await tempJetson("orin-nano-super-jp6", { node: true });
    try {
      const node = path.join(sim.binDir, "node");
      expect((await run(node, ["--version"])).stdout).toBe(`${process.version}\n`);
      expect((await lstat(node)).isSymbolicLink()).toBe(true);
    } finally {
      await sim.remove();
    }
  });

  it("is absent by default, as JetPack ships no usable Node", async () => {
    const sim = await tempJetson("nano-jp46");
    try {
      await expect(lstat(path.join(sim.binDir, "node"))).rejects.toThrow(/ENOENT/);
    } finally {
      await sim.remove();
    }
  });
});
