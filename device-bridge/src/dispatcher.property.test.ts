import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { catalogue, type Channel, type ChannelMessage, ResultSchema } from "@jetson/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { handlers } from "./actions/index.js";
import { CommandJournal } from "./command-journal.js";
import { Dispatcher } from "./dispatcher.js";
import { HostPortError, type HostPort } from "./host/port.js";
import type { Logger } from "./log.js";
import { createWorkloads } from "./workloads.js";

/** A machine with nothing on it: every read is empty and every program missing, so handlers fail fast. */
const emptyMachine: HostPort = {
  run: async (program) => {
    throw new HostPortError("not_found", `${program} is not installed`);
  },
  readFile: async () => undefined,
  writeFile: async () => {
    throw new HostPortError("bad_path", "read-only machine");
  },
  listDir: async () => [],
  statFs: async () => undefined,
  actingProcess: async () => ({ pid: process.pid, parentPid: process.ppid, what: "the bridge itself" }),
};
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

const hostile = fc.oneof(
  fc.anything(),
  fc.constantFrom("; rm -rf /", "$(reboot)", "`reboot`", "../../etc/shadow", "\u0000", "x".repeat(100_000), -1, 1e308, Number.NaN),
  fc.dictionary(fc.string(), fc.anything()),
);

describe("the dispatcher under random input", () => {
  it("answers every command with exactly one valid result, whatever its arguments", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "dispatch-fuzz-"));
    const journal = await CommandJournal.open(path.join(dir, "commands.jsonl"), 10_000);
    let counter = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...catalogue.map((a) => a.name)), fc.oneof(hostile, fc.dictionary(fc.string(), hostile)), async (action, args) => {
        const sent: Array<{ channel: Channel; message: ChannelMessage<Channel> }> = [];
        const dispatcher = new Dispatcher({
          handlers,
          journal,
          host: emptyMachine,
          stateDir: dir,
          workloads: createWorkloads({ docker: { socket: path.join(dir, "docker.sock"), volumeRoots: [] }, models: { dir: path.join(dir, "models"), minFreeBytes: 0 } }),
          bridgeVersion: "fuzz",
          send: (channel, message) => sent.push({ channel, message }),
          reportState: async () => undefined,
          log: quiet,
        });
        const id = `fuzz-${String(++counter).padStart(8, "0")}`;
        const command = { id, action, args, deadline: Date.now() + 5_000, requestedBy: "fuzz" };
        await dispatcher.handle(new TextEncoder().encode(JSON.stringify(command) ?? "null"));
        const results = sent.filter((s) => s.channel === "result");
        expect(results).toHaveLength(1);
        expect(ResultSchema.safeParse(results[0]?.message).success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("survives arbitrary bytes as a command", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "dispatch-bytes-"));
    const dispatcher = new Dispatcher({
      handlers,
      journal: await CommandJournal.open(path.join(dir, "commands.jsonl")),
      host: emptyMachine,
      stateDir: dir,
      workloads: createWorkloads({ docker: { socket: path.join(dir, "docker.sock"), volumeRoots: [] }, models: { dir: path.join(dir, "models"), minFreeBytes: 0 } }),
      bridgeVersion: "fuzz",
      send: () => undefined,
      reportState: async () => undefined,
      log: quiet,
    });
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2_000 }), async (bytes) => {
        await expect(dispatcher.handle(bytes)).resolves.toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
