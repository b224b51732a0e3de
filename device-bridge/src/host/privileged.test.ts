import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NodeHost } from "./node-host.js";
import { renderSudoers } from "./privileged.js";

async function program(dir: string, name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

describe("privileged programs", () => {
  it("runs listed programs through sudo -n with their absolute path, and others directly", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "sudo-"));
    const fakeSudo = await program(dir, "fake-sudo", `echo "sudo $*"`);
    const nvpmodel = await program(dir, "nvpmodel", `echo "nvpmodel $*"`);
    await program(dir, "tegrastats", `echo "tegrastats $*"`);
    const host = new NodeHost({
      root: dir,
      programDirs: [dir],
      defaultTimeoutMs: 5_000,
      defaultMaxOutputBytes: 10_000,
      sudo: { path: fakeSudo, programs: ["nvpmodel"] },
    });
    expect((await host.run("nvpmodel", ["-m", "1; reboot"])).stdout).toBe(`sudo -n -- ${nvpmodel} -m 1; reboot\n`);
    expect((await host.run("tegrastats", ["--interval", "1000"])).stdout).toBe("tegrastats --interval 1000\n");
  });

  it("writes a sudoers file naming each program by absolute path", () => {
    const text = renderSudoers("jetson-bridge", [
      { program: "nvpmodel", path: "/usr/sbin/nvpmodel" },
      { program: "jetson_clocks", path: "/usr/bin/jetson_clocks" },
    ]);
    expect(text).toContain("jetson-bridge ALL=(root) NOPASSWD: /usr/sbin/nvpmodel\n");
    expect(text).toContain("jetson-bridge ALL=(root) NOPASSWD: /usr/bin/jetson_clocks\n");
    expect(text).not.toMatch(/ALL$|\/bin\/sh|\*/m);
    expect(() => renderSudoers("root; ALL", [])).toThrow(/Not a user name/);
    expect(() => renderSudoers("bridge", [{ program: "x", path: "/usr/bin/x *" }])).toThrow(/Not an absolute program path/);
  });
});
