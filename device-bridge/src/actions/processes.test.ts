import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type LocalSshd, startSshd } from "../../../scripts/sshd.js";
import { SshConnection } from "../host/ssh-connection.js";
import { SshHost } from "../host/ssh-host.js";
import type { Logger } from "../log.js";
import { handlers } from "./index.js";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";
import type { ActionContext } from "./types.js";

describe("processes on a simulated Nano", () => {
  let board: SimulatedBoard;
  afterEach(() => board.remove());

  it("lists the top processes by CPU and by memory", async () => {
    board = await simulatedBoard("nano-jp46");
    const top = await board.run("processes.top", { count: 3 });
    expect(top.byCpu.map((p) => p.command)).toEqual(["python3", "gst-launch-1.0", "node"]);
    expect(top.byCpu[0]).toMatchObject({ pid: 2210, ppid: 1, user: "nvidia", cpuPercent: 143 });
    expect(top.byMemory.map((p) => p.command)).toEqual(["python3", "gst-launch-1.0", "dockerd"]);
    expect(top.processCount).toBeGreaterThan(10);
  });

  it("ends a process with SIGTERM, and a stuck one with SIGKILL after the grace period", async () => {
    board = await simulatedBoard("nano-jp46");
    expect(await board.run("processes.kill", { pid: 2290 })).toEqual({
      pid: 2290,
      command: "gst-launch-1.0",
      user: "nvidia",
      signals: ["TERM"],
      exited: true,
      message: "gst-launch-1.0 (PID 2290, user nvidia) ended after SIGTERM.",
    });
    const stuck = await board.run("processes.kill", { pid: 3120, force: true, graceSeconds: 1 });
    expect(stuck).toMatchObject({ signals: ["TERM", "KILL"], exited: true });
    expect((await board.run("processes.top", { count: 50 })).byCpu.map((p) => p.pid)).not.toContain(3120);
    const kills = (await board.calls()).filter((c) => c.program === "kill").map((c) => c.argv.join(" "));
    expect(kills).toEqual(["-s TERM 2290", "-s TERM 3120", "-s KILL 3120"]);
  });

  it("says when SIGTERM did not end a process and force was not asked", async () => {
    board = await simulatedBoard("nano-jp46");
    const result = await board.run("processes.kill", { pid: 3120 });
    expect(result).toMatchObject({ signals: ["TERM"], exited: false });
    expect(result.message).toMatch(/still running .* call again with force/);
  });

  it("stopping a unit's main process fails the unit", async () => {
    board = await simulatedBoard("nano-jp46");
    await board.run("processes.kill", { pid: 745 });
    expect(await board.run("services.status", { unit: "nvargus-daemon" })).toMatchObject({ activeState: "failed", result: "signal" });
  });

  it("refuses PID 1 and the bridge before running anything, and its family after looking", async () => {
    board = await simulatedBoard("nano-jp46");
    await expect(board.run("processes.kill", { pid: 1 })).rejects.toMatchObject({ code: "permission_denied", message: expect.stringMatching(/^PID 1 is not stopped: it is init/) });
    await expect(board.run("processes.kill", { pid: process.pid })).rejects.toMatchObject({ message: expect.stringMatching(/the bridge itself/) });
    expect(await board.calls()).toEqual([]);
    // The ps stand-in lists itself as a child of its caller, here this test's process.
    const ps = (await board.run("processes.top", { count: 50 })).byCpu.find((p) => p.command === "ps");
    expect(ps?.ppid).toBe(process.pid);
    await expect(board.run("processes.kill", { pid: 4_000_000 })).rejects.toMatchObject({ code: "invalid_input" });
    expect((await board.calls()).filter((c) => c.program === "kill")).toEqual([]);
  });
});

describe("processes.kill in gateway mode, over OpenSSH on 127.0.0.1", () => {
  const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  let sshd: LocalSshd;
  let dir: string;
  let connection: SshConnection;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "gateway-kill-"));
    sshd = await startSshd(dir);
    connection = new SshConnection(
      { host: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey, hostKeysSha256: [sshd.hostKeySha256] },
      quiet,
      { minMs: 50, maxMs: 500 },
    );
  });
  afterAll(async () => {
    connection?.close();
    await sshd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** The parent of a process on this machine: "PID (COMMAND) STATE PPID ...". */
  async function parentOf(pid: number): Promise<number> {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 1).trim().split(" ")[1]);
  }

  /** The PID of the `sleep SECONDS` on this machine, once it runs. */
  async function sleeping(seconds: string): Promise<number> {
    for (;;) {
      for (const entry of await readdir("/proc")) {
        const [program = "", ...args] = (await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")).split("\0").slice(0, -1);
        if (path.basename(program) === "sleep" && args.join(" ") === seconds) return Number(entry);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("protects the SSH session the gateway reaches the device through and the programs it runs there, and ends other processes", async () => {
    const host = new SshHost({ connection, root: "/", programDirs: ["/usr/bin", "/bin"], defaultTimeoutMs: 10_000, defaultMaxOutputBytes: 1 << 20 });
    const kill = (pid: number) => handlers["processes.kill"]({ pid, force: false, graceSeconds: 10 }, { host } as unknown as ActionContext);
    const stop = new AbortController();
    // Lengths of sleep no other run of this test uses, to tell its processes apart.
    const [gatewaySleep, localSleep] = [`${process.pid}.25`, `${process.pid}.5`];
    // A program the gateway runs on the device, as tegrastats runs for telemetry.
    const telemetry = host.run("sleep", [gatewaySleep], { signal: stop.signal, timeoutMs: 60_000 });
    const other = spawn("sleep", [localSleep], { stdio: "ignore" });
    try {
      // Not the gateway's on the device: here a child of this test, which runs the gateway, on the same machine.
      const target = await sleeping(localSleep);
      expect(await kill(target)).toMatchObject({ pid: target, command: "sleep", signals: ["TERM"], exited: true });
      const program = await sleeping(gatewaySleep);
      const session = await parentOf(program);
      for (const pid of [program, session, await parentOf(session)]) {
        await expect(kill(pid), String(pid)).rejects.toMatchObject({
          code: "permission_denied",
          message: expect.stringMatching(/it is the SSH session the gateway reaches this device through( or the process that started it|, one of its parents, or a program it runs)\.$/),
        });
      }
      expect(await host.run("true", [])).toMatchObject({ exitCode: 0 });
    } finally {
      other.kill();
      stop.abort();
      await telemetry;
    }
  });
});
