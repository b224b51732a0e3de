import { appendFile, mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type LocalSshd, startSshd } from "../../../scripts/sshd.js";
import type { Logger } from "../log.js";
import { isRunning } from "./host-port.contract.js";
import type { RunResult } from "./port.js";
import { SshConnection } from "./ssh-connection.js";
import { SshHost } from "./ssh-host.js";
import { SessionSlots } from "./ssh-sessions.js";

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
/** More than stock OpenSSH lets one connection hold at once (MaxSessions 10, the SFTP session one of them). */
const MORE_THAN_SESSIONS = 12;
const connections: SshConnection[] = [];
const started: number[] = [];
let dir: string;

afterAll(async () => {
  for (const connection of connections) connection.close();
  // A run that left its program behind (the failure these tests look for) must not leave it running for ten minutes.
  for (const pid of started) if (await isRunning(pid)) process.kill(pid, "SIGKILL");
});

function connectTo(sshd: LocalSshd): SshConnection {
  const target = { host: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey, hostKeysSha256: [sshd.hostKeySha256] };
  const connection = new SshConnection(target, quiet, { minMs: 50, maxMs: 500 });
  connections.push(connection);
  return connection;
}

function gateway(sshd: LocalSshd, stopGraceMs = 2_000, connection = connectTo(sshd)): SshHost {
  return new SshHost({ connection, root: "/", programDirs: ["/usr/bin", "/bin"], defaultTimeoutMs: 60_000, defaultMaxOutputBytes: 1 << 16, stopGraceMs });
}

interface Holder {
  /** Settles with the program's pid once it runs. */
  running: Promise<number>;
  result: Promise<RunResult>;
  stop(): void;
}

/** A program that prints its pid and runs until stopped, holding a session of the connection. */
function hold(host: SshHost): Holder {
  const controller = new AbortController();
  let markRunning: (pid: number) => void = () => undefined;
  const running = new Promise<number>((resolve) => {
    markRunning = resolve;
  });
  const result = host.run("sh", ["-c", "echo $$; exec sleep 600"], {
    signal: controller.signal,
    onStdoutLine: (line) => {
      started.push(Number(line));
      markRunning(Number(line));
    },
  });
  return { running, result, stop: () => controller.abort() };
}

/** Settles once `count` of `promises` have. */
function firstOf(count: number, promises: Promise<unknown>[]): Promise<void> {
  let settled = 0;
  return new Promise((resolve) => {
    const tick = () => ++settled === count && resolve();
    for (const promise of promises) promise.then(tick, tick);
  });
}

function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

describe("a gateway target running more commands at once than its sessions allow", () => {
  let sshd: LocalSshd;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ssh-sessions-"));
    sshd = await startSshd(path.join(dir, "sshd"));
  });
  afterAll(async () => sshd?.stop());

  it("runs each in its turn, all of them, while a stream (tegrastats) holds a session", { timeout: 60_000 }, async () => {
    const host = gateway(sshd);
    const stream = hold(host);
    await stream.running;
    const runs = Array.from({ length: MORE_THAN_SESSIONS }, (_, i) => host.run("sh", ["-c", `sleep 0.5; echo done ${i}`]));
    const results = await Promise.all(runs);
    expect(results.map((result) => result.stdout)).toEqual(results.map((_, i) => `done ${i}\n`));
    stream.stop();
    expect(await stream.result).toMatchObject({ aborted: true });
  });

  it("stops every cancelled command, though commands hold all the sessions but one", { timeout: 60_000 }, async () => {
    const host = gateway(sshd);
    // Nine programs and the SFTP session are as many sessions as the server allows: no room left for a kill.
    const holders = Array.from({ length: 9 }, () => hold(host));
    const pids: number[] = [];
    for (const holder of holders) void holder.running.then((pid) => pids.push(pid));
    await firstOf(8, holders.map((holder) => holder.running));
    for (const holder of holders) holder.stop();
    const results = await Promise.all(holders.map((holder) => holder.result));
    expect(results.every((result) => result.aborted)).toBe(true);
    expect(pids.length).toBeGreaterThanOrEqual(8);
    for (const pid of pids) expect(await isRunning(pid)).toBe(false);
  });

  it("never starts a command cancelled, or out of time, while it waits for a session", { timeout: 60_000 }, async () => {
    const host = gateway(sshd);
    const holders = Array.from({ length: 8 }, () => hold(host));
    await firstOf(8, holders.map((holder) => holder.running));
    const cancelledMarker = path.join(dir, "cancelled-ran");
    const lateMarker = path.join(dir, "late-ran");
    const controller = new AbortController();
    const cancelled = host.run("touch", [cancelledMarker], { signal: controller.signal });
    const late = host.run("touch", [lateMarker], { timeoutMs: 500 });
    controller.abort();
    expect(await cancelled).toMatchObject({ aborted: true, exitCode: null });
    expect(await late).toMatchObject({ timedOut: true, exitCode: null });
    for (const holder of holders) holder.stop();
    await Promise.all(holders.map((holder) => holder.result));
    // Queued after both: had either still waited for a session, it would have started first.
    expect((await host.run("echo", ["after"])).stdout).toBe("after\n");
    expect(await exists(cancelledMarker)).toBe(false);
    expect(await exists(lateMarker)).toBe(false);
  });

  it("stops a command cancelled while its channel was opening, which started all the same", { timeout: 30_000 }, async () => {
    const connection = connectTo(sshd);
    const host = gateway(sshd, 300, connection);
    const controller = new AbortController();
    const pidFile = path.join(dir, "opening.pid");
    const pidWritten = async () => (await readFile(pidFile, "utf8").catch(() => "")).endsWith("\n");
    const open = connection.exec.bind(connection);
    // The cancel comes once the program runs, before the run hears that its channel is open.
    connection.exec = async (command, options) => {
      const channel = await open(command, options);
      if (options?.use !== "kill") {
        await vi.waitUntil(pidWritten, { timeout: 10_000 });
        controller.abort();
      }
      return channel;
    };
    // Deaf to SIGTERM, so that only a stop that goes on to SIGKILL ends it.
    const result = await host.run("sh", ["-c", `trap "" TERM; echo $$ > ${pidFile}; exec sleep 600`], { signal: controller.signal });
    expect(result).toMatchObject({ aborted: true, exitCode: null });
    const pid = Number(await readFile(pidFile, "utf8"));
    started.push(pid);
    await expect.poll(() => isRunning(pid), { timeout: 10_000 }).toBe(false);
  });
});

describe("a gateway target that allows fewer sessions than OpenSSH does by default", () => {
  let sshd: LocalSshd;

  beforeAll(async () => {
    const sshdDir = path.join(await mkdtemp(path.join(tmpdir(), "ssh-sessions-")), "sshd");
    sshd = await startSshd(sshdDir);
    // The SFTP session and one command: nothing left for a kill.
    await appendFile(path.join(sshdDir, "sshd_config"), "MaxSessions 2\n");
    await sshd.restart();
  });
  afterAll(async () => sshd?.stop());

  it("fails a command it could not stop, saying the program may still be running, instead of answering it stopped", { timeout: 30_000 }, async () => {
    const host = gateway(sshd, 200);
    const holder = hold(host);
    const pid = await holder.running;
    holder.stop();
    await expect(holder.result).rejects.toThrow(/Could not stop sh on the device \(.*\): it may still be running/);
    expect(await isRunning(pid)).toBe(true);
  });
});

describe("the sessions of one connection", () => {
  const order = (slots: SessionSlots, log: string[], name: string, use: "command" | "kill", signal?: AbortSignal) =>
    slots.take(use, signal).then(
      () => log.push(name),
      () => log.push(`${name} gave up`),
    );

  it("admits commands in order up to their limit, and a kill past them up to its own", async () => {
    const slots = new SessionSlots({ command: 2, kill: 3 });
    const log: string[] = [];
    const taken = ["a", "b", "c"].map((name) => order(slots, log, name, "command"));
    await Promise.all([taken[0], taken[1], order(slots, log, "kill", "kill")]);
    expect(log).toEqual(["a", "b", "kill"]);
    slots.release();
    // Three held less one: still the commands' limit, so c waits.
    expect(slots.held).toBe(2);
    slots.release();
    await taken[2];
    expect(log).toEqual(["a", "b", "kill", "c"]);
    expect(slots.held).toBe(2);
  });

  it("drops a waiter whose signal aborts, letting the next one in", async () => {
    const slots = new SessionSlots({ command: 1, kill: 2 });
    const log: string[] = [];
    const controller = new AbortController();
    await order(slots, log, "a", "command");
    const gaveUp = order(slots, log, "b", "command", controller.signal);
    const next = order(slots, log, "c", "command");
    controller.abort();
    await gaveUp;
    slots.release();
    await next;
    expect(log).toEqual(["a", "b gave up", "c"]);
    expect(slots.held).toBe(1);
  });

  it("wakes a wait for a closed session when one closes, not when an open is refused", async () => {
    const slots = new SessionSlots({ command: 2, kill: 3 });
    await slots.take("command");
    await slots.take("command");
    let woken = false;
    const closed = slots.released().then(() => {
      woken = true;
    });
    slots.putBack();
    await Promise.resolve();
    expect(woken).toBe(false);
    slots.release();
    await closed;
    expect(slots.held).toBe(0);
  });
});
