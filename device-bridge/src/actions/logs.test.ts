import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { NodeHost } from "../host/node-host.js";
import { type SimulatedBoard, simulatedBoard } from "./simulated-board.js";

let board: SimulatedBoard;
afterEach(() => board.remove());

/** Adds entries to the simulated board's journal, newer than all it holds; `fields` are further fields an entry holds. */
async function addToJournal(entries: Array<{ identifier: string; message: string; fields?: Record<string, string> }>): Promise<void> {
  const file = path.join(board.sim.root, "var/lib/jetson-sim/admin.json");
  const admin = JSON.parse(await readFile(file, "utf8")) as { journal: Array<Record<string, unknown>> };
  const at = Date.now() - entries.length;
  admin.journal.push(...entries.map((entry, i) => ({ at: at + i, priority: 6, ...entry })));
  await writeFile(file, JSON.stringify(admin));
}

/** A board whose journalctl prints `output` as it stands (as journalctl 252 prints such a journal), placed ahead of the simulated programs. */
async function boardWithJournalctlPrinting(output: string): Promise<SimulatedBoard> {
  let standIns = "";
  const made = await simulatedBoard("xavier-nx-jp51", (_host, sim) => {
    standIns = path.join(path.dirname(sim.root), "stand-ins");
    return new NodeHost({ root: sim.root, programDirs: [standIns, sim.binDir], defaultTimeoutMs: 30_000, defaultMaxOutputBytes: 1 << 20 });
  });
  await mkdir(standIns);
  await writeFile(path.join(standIns, "journal.json"), output);
  await writeFile(path.join(standIns, "journalctl"), `#!/bin/sh\nexec /bin/cat "${path.join(standIns, "journal.json")}"\n`);
  await chmod(path.join(standIns, "journalctl"), 0o755);
  return made;
}

/** A line of `journalctl -o json` at a second after 2026-09-14T10:00:00Z. */
function journalLine(second: number, fields: Record<string, unknown>): string {
  return JSON.stringify({ __REALTIME_TIMESTAMP: String((1789380000 + second) * 1_000_000), PRIORITY: "6", ...fields });
}

describe("the journal on a simulated Xavier NX", () => {
  it("reads the last entries of the whole system, oldest first", async () => {
    board = await simulatedBoard("xavier-nx-jp51");
    const { entries, truncated } = await board.run("logs.journal", { lines: 5 });
    expect(entries).toHaveLength(5);
    expect(truncated).toBe(false);
    expect(entries.map((e) => e.time)).toEqual(entries.map((e) => e.time).sort());
    expect(entries.at(-1)).toMatchObject({ identifier: "sshd", unit: "ssh.service", priorityName: "info" });
  });

  it("filters by unit and priority, and follows what services do", async () => {
    board = await simulatedBoard("xavier-nx-jp51", undefined, { services: { allow: ["nginx.service"] } });
    const errors = await board.run("logs.journal", { unit: "camera-pipeline", priority: "err" });
    expect(errors.entries.map((e) => [e.priorityName, e.message])).toEqual([
      ["err", "RuntimeError: Failed to open camera /dev/video0: no such device"],
      ["err", "Failed to start Camera inference pipeline."],
    ]);
    expect(errors.entries[0]).toMatchObject({ unit: "camera-pipeline.service", identifier: "python3", pid: 1980 });
    await board.run("services.start", { unit: "nginx" });
    const nginx = await board.run("logs.journal", { unit: "nginx", since: "-5min" });
    expect(nginx.entries.map((e) => e.message)).toEqual([
      "Starting A high performance web server and a reverse proxy server...",
      "Started A high performance web server and a reverse proxy server.",
    ]);
    expect((await board.calls()).find((c) => c.program === "journalctl")?.argv).toEqual([
      "--output=json",
      "--no-pager",
      "--quiet",
      "--output-fields=__REALTIME_TIMESTAMP,PRIORITY,MESSAGE,UNIT,_SYSTEMD_UNIT,SYSLOG_IDENTIFIER,_COMM,_PID",
      "--lines=100",
      "--unit=camera-pipeline.service",
      "--priority=err",
    ]);
  });

  it("keeps the newest entries within maxBytes", async () => {
    board = await simulatedBoard("xavier-nx-jp51");
    const all = await board.run("logs.journal", { lines: 1000, maxBytes: 512 * 1024 });
    const capped = await board.run("logs.journal", { lines: 1000, maxBytes: 4096 });
    expect(capped.truncated).toBe(true);
    expect(capped.entries.length).toBeLessThan(all.entries.length);
    expect(capped.entries).toEqual(all.entries.slice(-capped.entries.length));
  });

  it("passes the since forms journalctl reads, and refuses others before it runs", async () => {
    board = await simulatedBoard("xavier-nx-jp51");
    // The board booted an hour ago: after yesterday's midnight whatever the time of day (not always after today's).
    expect((await board.run("logs.journal", { since: "yesterday" })).entries.length).toBeGreaterThan(0);
    expect((await board.run("logs.journal", { since: "-2h" })).entries.length).toBeGreaterThan(0);
    expect((await board.calls()).at(-1)?.argv).toContain("--since=-2h");
    expect((await board.run("logs.journal", { since: "2099-01-01 00:00" })).entries).toEqual([]);
    const before = (await board.calls()).length;
    await expect(board.run("logs.journal", { since: "1 hour ago; reboot" })).rejects.toThrow(/YYYY-MM-DD/);
    expect((await board.calls()).length).toBe(before);
  });

  it("counts each whole entry against maxBytes, as its JSON goes to the cloud: long names and escaped characters included", async () => {
    board = await simulatedBoard("xavier-nx-jp51");
    await addToJournal(Array.from({ length: 400 }, (_, i) => ({ identifier: "A".repeat(3000), message: `${"\u0001".repeat(1000)}${i}` })));
    const { entries, truncated } = await board.run("logs.journal", { lines: 1000, maxBytes: 512 * 1024 });
    expect(truncated).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(entries))).toBeLessThanOrEqual(512 * 1024);
    expect(entries.length).toBeGreaterThan(40);
    expect(entries.at(-1)?.message.endsWith("399")).toBe(true);
  });

  it("reads every entry of an output larger than the old 16 MiB cap, keeping the newest, and leaves out a last line cut short", async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => journalLine(i, { SYSLOG_IDENTIFIER: "flood", MESSAGE: `${i} ${"x".repeat(20_000)}` }));
    board = await boardWithJournalctlPrinting(`${lines.join("\n")}\n${journalLine(1000, { MESSAGE: "y".repeat(100) }).slice(0, 60)}`);
    const { entries, truncated, warning } = await board.run("logs.journal", { lines: 1000, maxBytes: 512 * 1024 });
    expect(truncated).toBe(true);
    expect(entries.length).toBeGreaterThan(100);
    expect(entries.map((e) => e.message.split(" ")[0])).toEqual(Array.from({ length: entries.length }, (_, i) => String(1000 - entries.length + i)));
    expect(warning).toBe("1 journal entry could not be read (cut short or malformed) and was left out.");
  });

  it("returns the other entries when one holds fields journalctl prints as bytes or lists, or cannot be read at all", async () => {
    board = await boardWithJournalctlPrinting(
      [
        journalLine(1, { SYSLOG_IDENTIFIER: "sshd", MESSAGE: "Accepted publickey for nvidia" }),
        journalLine(2, { SYSLOG_IDENTIFIER: [255, 254, 101, 120, 97, 109, 112, 108, 101], _PID: ["2210", "2211"], MESSAGE: ["one message", "and a second"] }),
        journalLine(3, { PRIORITY: { level: 3 }, MESSAGE: "not as journalctl prints it" }),
        journalLine(4, { SYSLOG_IDENTIFIER: "kernel", MESSAGE: [104, 105, 255] }),
      ].join("\n"),
    );
    const { entries, truncated, warning } = await board.run("logs.journal", { lines: 10 });
    expect(entries.map((e) => [e.identifier, e.pid, e.message])).toEqual([
      ["sshd", undefined, "Accepted publickey for nvidia"],
      ["\ufffd\ufffdexample", 2210, "one message\nand a second"],
      ["kernel", undefined, "hi\ufffd"],
    ]);
    expect(truncated).toBe(false);
    expect(warning).toBe("1 journal entry could not be read (cut short or malformed) and was left out.");
  });

  // journalctl prints each field under 4096 bytes, but an entry with many fields passes the 64 KiB a line may hold.
  it("reads an entry whose fields together print over 64 KiB of JSON, asking journalctl only for the fields it reads", async () => {
    board = await simulatedBoard("xavier-nx-jp51");
    await addToJournal([
      { identifier: "sshd", message: "before" },
      { identifier: "app", message: "one line", fields: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`FIELD_${i}`, 'say "hi" '.repeat(400)])) },
      { identifier: "sshd", message: "after" },
    ]);
    const { entries, warning } = await board.run("logs.journal", { lines: 10, maxBytes: 512 * 1024 });
    expect(entries.slice(-3).map((e) => [e.identifier, e.message])).toEqual([
      ["sshd", "before"],
      ["app", "one line"],
      ["sshd", "after"],
    ]);
    expect(warning).toBeUndefined();
  });

  it("says an entry printed over 64 KiB anyway was too long, not malformed, and returns the others", async () => {
    const fields = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`FIELD_${i}`, 'say "hi" '.repeat(400)]));
    board = await boardWithJournalctlPrinting(
      [
        journalLine(1, { SYSLOG_IDENTIFIER: "sshd", MESSAGE: "before" }),
        journalLine(2, { SYSLOG_IDENTIFIER: "app", MESSAGE: "one line", ...fields }),
        journalLine(3, { SYSLOG_IDENTIFIER: "sshd", MESSAGE: "after" }),
      ].join("\n"),
    );
    const { entries, warning } = await board.run("logs.journal", { lines: 10, maxBytes: 512 * 1024 });
    expect(entries.map((e) => e.message)).toEqual(["before", "after"]);
    expect(warning).toBe("1 journal entry was too long to read (over 64 KiB of JSON) and left out.");
  });
});
