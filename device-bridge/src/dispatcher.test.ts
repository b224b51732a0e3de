import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Channel, ChannelMessage, Command } from "@jetson/protocol";
import { beforeEach, describe, expect, it } from "vitest";
import { handlers } from "./actions/index.js";
import type { HandlerTable } from "./actions/types.js";
import { CommandJournal } from "./command-journal.js";
import { Dispatcher, type DispatcherDeps } from "./dispatcher.js";
import { NodeHost } from "./host/node-host.js";
import type { Logger } from "./log.js";
import { linkTo } from "./link/link-to.fixture.js";
import { ScriptedBroker } from "./link/scripted-broker.js";
import { createWorkloads } from "./workloads.js";

type Sent = { channel: Channel; message: ChannelMessage<Channel> };
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

let dir: string;
let sent: Sent[];
let pings: number;
/** What the dispatcher logged as errors. */
let errors: string[];
/** A stand-in for a long action (trtexec, a pull): it runs until its signal aborts it. */
let untilAborted: { entered: () => void; aborted: boolean };
/** When set, system.ping waits for `go` before it counts and answers: a short action that never looks at its signal (power.set, fan.set). */
let pingGate: { entered: () => void; go: Promise<void> } | undefined;
/** Called as bridge.update starts; it then restarts the bridge, so this process never answers it. */
let updating: () => void;

function command(overrides: Partial<Command> = {}): Uint8Array {
  const base: Command = { id: "cmd-00000001", action: "system.ping", args: {}, deadline: Date.now() + 10_000, requestedBy: "test" };
  return new TextEncoder().encode(JSON.stringify({ ...base, ...overrides }));
}

async function dispatcher(resume?: DispatcherDeps["resume"], send: DispatcherDeps["send"] = (channel, message) => sent.push({ channel, message })): Promise<Dispatcher> {
  const counted: HandlerTable = {
    ...handlers,
    "system.ping": async (input, context) => {
      pingGate?.entered();
      await pingGate?.go;
      pings++;
      return handlers["system.ping"](input, context);
    },
    "time.status": async (_input, { signal }) => {
      untilAborted.entered();
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      untilAborted.aborted = true;
      throw new Error("stopped");
    },
    "bridge.update": async () => {
      updating();
      return new Promise<never>(() => undefined);
    },
  };
  return new Dispatcher({
    handlers: counted,
    journal: await CommandJournal.open(path.join(dir, "commands.jsonl")),
    host: new NodeHost({ root: dir, programDirs: [dir], defaultTimeoutMs: 1_000, defaultMaxOutputBytes: 1_000 }),
    stateDir: dir,
    workloads: createWorkloads({ docker: { socket: path.join(dir, "docker.sock"), volumeRoots: [] }, models: { dir: path.join(dir, "models"), minFreeBytes: 0 } }),
    bridgeVersion: "test",
    send,
    reportState: async () => undefined,
    resume,
    log: { ...quiet, error: (message) => errors.push(message) },
  });
}

const results = () => sent.filter((s) => s.channel === "result").map((s) => s.message as ChannelMessage<"result">);

describe("the dispatcher", () => {
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "dispatch-"));
    sent = [];
    pings = 0;
    errors = [];
    pingGate = undefined;
  });

  it("acks, runs and answers a command", async () => {
    await (await dispatcher()).handle(command());
    expect(sent.map((s) => s.channel)).toEqual(["ack", "result"]);
    expect(results()[0]).toMatchObject({ id: "cmd-00000001", ok: true, data: { pong: true, bridgeVersion: "test" } });
  });

  it("answers a redelivered command from the journal without running it again", async () => {
    const d = await dispatcher();
    await d.handle(command());
    await d.handle(command());
    expect(pings).toBe(1);
    expect(results()).toHaveLength(2);
    expect(results()[1]).toEqual(results()[0]);
  });

  it("never reruns a command that a previous process started but did not finish", async () => {
    const journal = await CommandJournal.open(path.join(dir, "commands.jsonl"));
    await journal.started("cmd-00000001");
    await (await dispatcher()).handle(command());
    expect(pings).toBe(0);
    expect(results()[0]).toMatchObject({ ok: false, error: { code: "handler_failed", message: expect.stringMatching(/not run again/) } });
  });

  it("answers a command an earlier process ended itself for with the outcome this process resumes, once", async () => {
    const journal = await CommandJournal.open(path.join(dir, "commands.jsonl"));
    await journal.started("cmd-00000001");
    const outcome = { id: "cmd-00000001", ok: true as const, data: { status: "updated" }, startedAt: 1, endedAt: 2 };
    const d = await dispatcher(async (resumed) => (resumed.id === "cmd-00000001" ? outcome : undefined));
    await d.handle(command());
    await d.handle(command());
    expect(pings).toBe(0);
    expect(results()).toEqual([outcome, outcome]);
    expect((await CommandJournal.open(path.join(dir, "commands.jsonl"))).lookup("cmd-00000001")).toEqual({ id: "cmd-00000001", state: "finished", result: outcome });
  });

  it("validates arguments on the device too", async () => {
    await (await dispatcher()).handle(command({ action: "telemetry.watch", args: { seconds: "5; reboot" } }));
    expect(results()[0]).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    expect(sent.map((s) => s.channel)).toEqual(["result"]);
  });

  it("refuses unknown actions and expired deadlines", async () => {
    const d = await dispatcher();
    await d.handle(command({ id: "cmd-unknown1", action: "system.shell" }));
    await d.handle(command({ id: "cmd-expired1", deadline: Date.now() - 1 }));
    expect(results().map((r) => (r.ok ? "ok" : r.error.code))).toEqual(["unknown_action", "timed_out"]);
    expect(pings).toBe(0);
  });

  it("measures a deadline from when the Worker sent the command, whatever this device's clock says", async () => {
    const d = await dispatcher();
    const minutes = 60_000;
    // The device's clock 10 minutes ahead of the Worker's: the deadline is in its past, yet 10 s were left when it was sent.
    const behind = Date.now() - 10 * minutes;
    await d.handle(command({ id: "cmd-fastclk1", deadline: behind + 10_000, sentAt: behind }));
    // Its time had run out before the Worker sent it: refused even on a device clock 10 minutes behind.
    const ahead = Date.now() + 10 * minutes;
    await d.handle(command({ id: "cmd-spent001", deadline: ahead - 1, sentAt: ahead }));
    // From a Worker that does not say when it sent it: this clock decides, as before.
    await d.handle(command({ id: "cmd-nosent01", deadline: behind + 10_000 }));
    expect(results().map((r) => [r.id, r.ok ? "ok" : r.error.code])).toEqual([
      ["cmd-fastclk1", "ok"],
      ["cmd-spent001", "timed_out"],
      ["cmd-nosent01", "timed_out"],
    ]);
    expect(pings).toBe(1);
  });

  it("refuses a command that spent longer on its way than it had left, on a device clock 10 minutes ahead", async () => {
    const d = await dispatcher();
    const ahead = 10 * 60_000;
    // Each sentAt as the Worker stamped it: its clock is 10 minutes behind this one.
    const sent = (secondsAgo: number) => Date.now() - ahead - secondsAgo * 1_000;
    const onTime = sent(0);
    await d.handle(command({ id: "cmd-ontime01", deadline: onTime + 10_000, sentAt: onTime }));
    // Held 60 s on the way (a stalled link) with 10 s left: the cloud has answered its caller already.
    const stalled = sent(60);
    await d.handle(command({ id: "cmd-stalled1", deadline: stalled + 10_000, sentAt: stalled }));
    // Held 5 s with 10 s left: still in time.
    const slow = sent(5);
    await d.handle(command({ id: "cmd-slow0001", deadline: slow + 10_000, sentAt: slow }));
    expect(results().map((r) => [r.id, r.ok ? "ok" : r.error.code])).toEqual([
      ["cmd-ontime01", "ok"],
      ["cmd-stalled1", "timed_out"],
      ["cmd-slow0001", "ok"],
    ]);
  });

  it("refuses the first command after connecting when it spent longer on its way than it had left, measured from the CONNACK's clock", async () => {
    const d = await dispatcher();
    // The Worker's clock, 10 minutes behind this one, as its CONNACK gave it on arrival.
    const cloudNow = Date.now() - 10 * 60_000;
    d.cloudClock(cloudNow);
    // Sent 60 s before the connection with 10 s left (a command held on the way), then the first to arrive.
    const stalled = cloudNow - 60_000;
    await d.handle(command({ id: "cmd-stalled2", deadline: stalled + 10_000, sentAt: stalled }));
    const onTime = cloudNow;
    await d.handle(command({ id: "cmd-ontime02", deadline: onTime + 10_000, sentAt: onTime }));
    expect(results().map((r) => [r.id, r.ok ? "ok" : r.error.code])).toEqual([
      ["cmd-stalled2", "timed_out"],
      ["cmd-ontime02", "ok"],
    ]);
  });

  it("aborts a running command on cancel, answers `cancelled` once, and answers a redelivery from the journal", async () => {
    const d = await dispatcher();
    const entered = new Promise<void>((resolve) => (untilAborted = { entered: resolve, aborted: false }));
    const running = d.handle(command({ id: "cmd-cancel01", action: "time.status" }));
    await entered;
    d.cancel(new TextEncoder().encode(JSON.stringify({ id: "cmd-cancel01" })));
    await running;
    expect(untilAborted.aborted).toBe(true);
    expect(results()).toEqual([expect.objectContaining({ id: "cmd-cancel01", ok: false, error: expect.objectContaining({ code: "cancelled" }) })]);
    await d.handle(command({ id: "cmd-cancel01", action: "time.status" }));
    expect(results()[1]).toEqual(results()[0]);
  });

  it("keeps the answer of a handler that did its work though a cancel came while it ran", async () => {
    const d = await dispatcher();
    let go!: () => void;
    const entered = new Promise<void>((resolve) => (pingGate = { entered: resolve, go: new Promise((done) => (go = done)) }));
    const running = d.handle(command({ id: "cmd-cancel02" }));
    await entered;
    d.cancel(new TextEncoder().encode(JSON.stringify({ id: "cmd-cancel02" })));
    go();
    await running;
    expect(pings).toBe(1);
    expect(results()).toEqual([expect.objectContaining({ id: "cmd-cancel02", ok: true, data: expect.objectContaining({ pong: true }) })]);
  });

  it("answers a command the bridge stopping cut off that it was stopped, and keeps the answer of one that did its work meanwhile", async () => {
    const d = await dispatcher();
    const watching = new Promise<void>((resolve) => (untilAborted = { entered: resolve, aborted: false }));
    let go!: () => void;
    const pinging = new Promise<void>((resolve) => (pingGate = { entered: resolve, go: new Promise((done) => (go = done)) }));
    const running = [d.handle(command({ id: "cmd-cutoff01", action: "time.status" })), d.handle(command({ id: "cmd-pinged01" }))];
    await Promise.all([watching, pinging]);
    const stopping = d.abortAll();
    go();
    await stopping;
    await Promise.all(running);
    expect(pings).toBe(1);
    expect(results().map((r) => (r.ok ? [r.id, "ok"] : [r.id, r.error.code, r.error.message]))).toEqual([
      ["cmd-cutoff01", "handler_failed", "time.status was stopped because the bridge stopped while it ran; run it again."],
      ["cmd-pinged01", "ok"],
    ]);
  });

  it("starts nothing once stopping: a command that comes meanwhile is left unanswered, for the next start to run", async () => {
    const d = await dispatcher();
    let go!: () => void;
    const pinging = new Promise<void>((resolve) => (pingGate = { entered: resolve, go: new Promise((done) => (go = done)) }));
    const first = d.handle(command({ id: "cmd-slow0001" }));
    await pinging;
    const stopping = d.abortAll();
    let lateStarted = false;
    untilAborted = { entered: () => (lateStarted = true), aborted: false };
    const late = command({ id: "cmd-late0001", action: "time.status" });
    await d.handle(late);
    go();
    await Promise.all([first, stopping]);
    expect(lateStarted).toBe(false);
    expect(sent.filter((s) => (s.message as { id?: string }).id === "cmd-late0001")).toEqual([]);
    expect(results().map((r) => [r.id, r.ok])).toEqual([["cmd-slow0001", true]]);

    // The next start, on the same journal, runs it when the cloud delivers it again.
    const next = await dispatcher();
    const running = next.handle(late);
    await new Promise<void>((resolve) => (untilAborted = { entered: resolve, aborted: false }));
    await next.abortAll();
    await running;
    expect(results().at(-1)).toMatchObject({ id: "cmd-late0001", ok: false, error: { code: "handler_failed" } });
  });

  it("says a command was cut off by the restart into a new release when a bridge.update restarts the bridge", async () => {
    const d = await dispatcher();
    const watching = new Promise<void>((resolve) => (untilAborted = { entered: resolve, aborted: false }));
    const running = d.handle(command({ id: "cmd-cutoff02", action: "time.status" }));
    await watching;
    const update = new Promise<void>((resolve) => (updating = resolve));
    void d.handle(command({ id: "cmd-update01", action: "bridge.update", args: { version: "1.1.0" } }));
    await update;
    // As the updater restarts the bridge: every running handler is stopped, then the process ends once they are answered.
    await d.abortAll();
    expect(results()).toEqual([
      expect.objectContaining({
        id: "cmd-cutoff02",
        ok: false,
        error: { code: "handler_failed", message: "time.status was stopped because the bridge restarted (bridge.update) while it ran; run it again." },
      }),
    ]);
    await running;
  });

  it("ignores a cancel for a command it is not running, and a malformed one", async () => {
    const d = await dispatcher();
    d.cancel(new TextEncoder().encode(JSON.stringify({ id: "cmd-notknown" })));
    d.cancel(new TextEncoder().encode("{"));
    await d.handle(command());
    expect(results()).toEqual([expect.objectContaining({ ok: true })]);
  });

  it("answers every one of many commands that finish at once, their results pushing the journal past its size", async () => {
    // A journalctl with 1000 entries of 500 bytes: each logs.journal below answers about 0.5 MB, so the journal compacts.
    const entries = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ __REALTIME_TIMESTAMP: String(1700000000000000 + i), PRIORITY: "6", MESSAGE: "m".repeat(500) }));
    await writeFile(path.join(dir, "journal.json"), `${entries.join("\n")}\n`);
    await writeFile(path.join(dir, "journalctl"), `#!/bin/sh\ncat "${path.join(dir, "journal.json")}"\n`);
    await chmod(path.join(dir, "journalctl"), 0o755);
    const d = await dispatcher();
    const ids = Array.from({ length: 16 }, (_, i) => `cmd-logs00${String(i).padStart(2, "0")}`);
    await Promise.all(ids.map((id) => d.handle(command({ id, action: "logs.journal", args: { lines: 1000, maxBytes: 512 * 1024 } }))));
    expect(results().map((r) => [r.id, r.ok]).sort()).toEqual(ids.map((id) => [id, true]));
    expect(errors).toEqual([]);
  });

  it("runs and answers a command whose journal records cannot be written, and says so in its log", async () => {
    const d = await dispatcher();
    // The journal's file replaced by a folder: every append to it fails.
    await rm(path.join(dir, "commands.jsonl"));
    await mkdir(path.join(dir, "commands.jsonl"));
    await d.handle(command());
    expect(sent.map((s) => s.channel)).toEqual(["ack", "result"]);
    expect(results()[0]).toMatchObject({ id: "cmd-00000001", ok: true });
    // Its start, then its result.
    expect(errors).toEqual(Array(2).fill(expect.stringMatching(/could not write command cmd-00000001 to the command journal/)));
    // Still known in memory: a redelivery is answered without running it again.
    await d.handle(command());
    expect(results()).toEqual([results()[0], results()[0]]);
    expect(pings).toBe(1);
  });

  it("answers a malformed command that still has an id, and drops one that has none", async () => {
    const d = await dispatcher();
    await d.handle(new TextEncoder().encode(JSON.stringify({ id: "cmd-badshape", action: 5 })));
    await d.handle(new TextEncoder().encode("not json"));
    await d.handle(new TextEncoder().encode(JSON.stringify({ action: "system.ping" })));
    expect(results()).toHaveLength(1);
    expect(results()[0]).toMatchObject({ id: "cmd-badshape", ok: false, error: { code: "invalid_input" } });
  });

  it("answers a command whose result is larger than the cloud takes with an error that says so, sending nothing too large, and goes on serving", async () => {
    // A journal of 200 entries of 500 bytes; the broker takes packets of at most 64 KiB.
    const entries = Array.from({ length: 200 }, (_, i) => JSON.stringify({ __REALTIME_TIMESTAMP: String(1700000000000000 + i), PRIORITY: "6", MESSAGE: "m".repeat(500) }));
    await writeFile(path.join(dir, "journal.json"), `${entries.join("\n")}\n`);
    await writeFile(path.join(dir, "journalctl"), `#!/bin/sh\ncat "${path.join(dir, "journal.json")}"\n`);
    await chmod(path.join(dir, "journalctl"), 0o755);
    const broker = await ScriptedBroker.start();
    broker.maxPacketBytes = 64 * 1024;
    const { link, nextConnect } = linkTo(broker);
    try {
      const connected = nextConnect();
      link.start();
      await connected;
      // As the bridge sends: fire and forget, the link refusing a message too large at once.
      const d = await dispatcher(undefined, (channel, message) => void link.publish(`d/dev/${channel}`, JSON.stringify(message)).catch(() => undefined));
      const answer = async (id: string) => JSON.parse((await broker.publishWhere((p) => p.topic === "d/dev/result" && p.payload.includes(id))).payload) as ChannelMessage<"result">;
      const large = command({ id: "cmd-largelog", action: "logs.journal", args: { lines: 1000, maxBytes: 512 * 1024 } });
      await d.handle(large);
      expect(await answer("cmd-largelog")).toMatchObject({
        ok: false,
        error: { code: "handler_failed", message: expect.stringMatching(/^The result of logs\.journal was \d+ bytes, more than the 65536 bytes a message to the cloud may carry, so it was not sent\. Ask for less/) },
      });
      // A redelivery is answered from the journal with the same error; one that asks for less fits.
      await d.handle(large);
      await d.handle(command({ id: "cmd-smalllog", action: "logs.journal", args: { lines: 10, maxBytes: 16 * 1024 } }));
      expect((await answer("cmd-smalllog")).ok).toBe(true);
      const answers = broker.publishes.filter((p) => p.topic === "d/dev/result").map((p) => JSON.parse(p.payload) as ChannelMessage<"result">);
      expect(answers.map((r) => [r.id, r.ok])).toEqual([
        ["cmd-largelog", false],
        ["cmd-largelog", false],
        ["cmd-smalllog", true],
      ]);
      expect(answers[1]).toEqual(answers[0]);
      // Nothing too large reached the broker, so the first connection is the only one.
      expect(broker.oversized).toEqual([]);
      expect(new Set(broker.publishes.map((p) => p.connection))).toEqual(new Set([1]));
    } finally {
      await link.stop();
      await broker.close();
    }
  });
});
