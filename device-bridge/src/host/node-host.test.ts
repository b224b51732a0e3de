import { createHook } from "node:async_hooks";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runHostPortContract } from "./host-port.contract.js";
import { NodeHost } from "./node-host.js";

runHostPortContract("NodeHost", async (root, programDir) =>
  new NodeHost({ root, programDirs: [programDir], defaultTimeoutMs: 5_000, defaultMaxOutputBytes: 1 << 20, stopGraceMs: 1_000 }),
);

describe("NodeHost reading files", () => {
  let root: string;
  let host: NodeHost;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "node-host-"));
    await mkdir(path.join(root, "sys/class/thermal/thermal_zone0"), { recursive: true });
    await mkdir(path.join(root, "etc"));
    await writeFile(path.join(root, "sys/class/thermal/thermal_zone0/temp"), "45500\n");
    await writeFile(path.join(root, "etc/hostname"), "board-1\n");
    host = new NodeHost({ root, programDirs: [root], defaultTimeoutMs: 5_000, defaultMaxOutputBytes: 1 << 20 });
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  /** The libuv thread-pool requests (realpath, open, stat, read, close) that reading `machinePath` makes. */
  async function threadPoolRequests(machinePath: string): Promise<{ text: string | undefined; requests: number }> {
    let requests = 0;
    const hook = createHook({ init: (_id, type) => void (type.startsWith("FSREQ") && requests++) }).enable();
    try {
      return { text: await host.readFile(machinePath), requests };
    } finally {
      hook.disable();
    }
  }

  it("reads a kernel file in place, where a telemetry sample reads 73 of them a second, and other files through the thread pool", async () => {
    expect(await threadPoolRequests("/sys/class/thermal/thermal_zone0/temp")).toEqual({ text: "45500\n", requests: 0 });
    const etc = await threadPoolRequests("/etc/hostname");
    expect(etc.text).toBe("board-1\n");
    expect(etc.requests).toBeGreaterThan(0);
  });
});

describe("NodeHost looking for a program", () => {
  it("names the folders it looked in as the machine sees them, not where a simulated root lies on the host", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "node-host-"));
    try {
      const host = new NodeHost({ root, programDirs: [path.join(root, "usr/bin"), "/opt/elsewhere"], defaultTimeoutMs: 5_000, defaultMaxOutputBytes: 1 << 20 });
      await expect(host.locate("python3")).rejects.toThrow("python3 is not installed (looked in /usr/bin, /opt/elsewhere)");
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
