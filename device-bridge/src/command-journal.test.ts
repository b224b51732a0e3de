import { execFile } from "node:child_process";
import { appendFile, chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { Result } from "@jetson/protocol";
import { CommandJournal } from "./command-journal.js";
import type { Logger } from "./log.js";

const OPENER = fileURLToPath(new URL("./command-journal-open.fixture.ts", import.meta.url));
const IDS = ["command-a", "command-b", "command-c", "command-d", "command-e"];
const line = (id: string, data: unknown = id) => `${JSON.stringify({ id, state: "finished", result: { id, startedAt: 1, endedAt: 2, ok: true, data } })}\n`;
const succeeded = (id: string, data: unknown): Result => ({ id, ok: true, data, startedAt: 1, endedAt: 2 });

/** Opens a journal of five finished commands with room for two (so it compacts), killed by SIGKILL as it enters the `nth` call of `syscall` on its files. */
async function openAndCrash(dir: string, syscall: string, nth: number): Promise<{ killed: boolean }> {
  const file = path.join(dir, "commands.jsonl");
  await writeFile(file, IDS.map(line).join(""));
  const paths = [file, `${file}.tmp`].flatMap((p) => ["-P", p]);
  const inject = `inject=${syscall}:signal=SIGKILL:when=${nth}`;
  const args = ["-f", "-qq", "-o", "/dev/null", ...paths, "-e", inject, process.execPath, "--import", "tsx", OPENER, file, "2"];
  return promisify(execFile)("strace", args, { cwd: path.dirname(OPENER) }).then(
    () => ({ killed: false }),
    (error: { signal?: string; code?: number }) => ({ killed: error.signal === "SIGKILL" || error.code === 137 }),
  );
}

/** A logger that keeps what it is told. */
function keptLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug: () => undefined, info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
}

/** Fills the file system under `dir` with one file until it takes no more; answers that file. */
async function fill(dir: string): Promise<string> {
  const filler = path.join(dir, "filler");
  const block = Buffer.alloc(4096);
  for (;;) {
    const full = await appendFile(filler, block).then(
      () => false,
      (error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOSPC") throw error;
        return true;
      },
    );
    if (full) return filler;
  }
}

describe("the command journal", () => {
  it("keeps the record of the newest commands through a crash at any step of its compaction", { timeout: 120_000 }, async () => {
    const crashes: string[] = [];
    for (const syscall of ["openat", "write", "fsync", "fdatasync", "rename", "close"]) {
      for (const nth of [1, 2]) {
        const dir = await mkdtemp(path.join(tmpdir(), "journal-"));
        if ((await openAndCrash(dir, syscall, nth)).killed) crashes.push(`${syscall}#${nth}`);
        const journal = await CommandJournal.open(path.join(dir, "commands.jsonl"), 2);
        for (const id of ["command-d", "command-e"]) expect(journal.lookup(id), `${id} after a crash at ${syscall}#${nth}`).toMatchObject({ id, state: "finished" });
        expect(await readdir(dir)).toEqual(["commands.jsonl"]);
      }
    }
    // The crashes really happened: while reading, while writing the new file, and at the step that replaces the old one.
    expect(crashes).toEqual(expect.arrayContaining(["openat#1", "write#1", "rename#1"]));
  });

  it("refuses to start from a journal it cannot read, naming it, and leaves it as it was", async () => {
    // Run as nobody, since root reads any file: the journal is root's (0600) in a folder nobody may write to,
    // so a bridge that took the unreadable journal for an empty one could replace it.
    const dir = await mkdtemp(path.join(tmpdir(), "journal-"));
    await chmod(dir, 0o777);
    const file = path.join(dir, "commands.jsonl");
    await writeFile(file, line("command-a"), { mode: 0o600 });
    const opened = await promisify(execFile)(process.execPath, ["--import", "tsx", OPENER, file, "2"], { cwd: path.dirname(OPENER), uid: 65534, gid: 65534 }).then(
      () => "opened",
      (error: { stderr: string }) => error.stderr,
    );
    expect(opened).toContain(`Cannot read the command journal ${file} (EACCES)`);
    expect(opened).toContain("move it aside");
    expect(await readFile(file, "utf8")).toBe(line("command-a"));
    expect(await readdir(dir)).toEqual(["commands.jsonl"]);
    // A folder where the journal should be fails when read (EISDIR), and stays.
    const folder = path.join(dir, "folder.jsonl");
    await mkdir(folder);
    await writeFile(path.join(folder, "kept"), "");
    await expect(CommandJournal.open(folder)).rejects.toThrow(`Cannot read the command journal ${folder} (EISDIR)`);
    expect(await readdir(folder)).toEqual(["kept"]);
  });

  it("reads a journal line by line: a line over its limit is passed over, its command kept if its head names one, and the records around it kept", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "journal-"));
    const file = path.join(dir, "commands.jsonl");
    // Lines over 4 KiB: garbage (as a crash or a bad disk may leave), and a record of a result an earlier bridge kept whole.
    const garbage = `${"\0".repeat(10_000)}\n`;
    await writeFile(file, [line("command-a"), garbage, line("command-b"), line("command-c", "x".repeat(10_000)), line("command-d"), "\0".repeat(10_000)].join(""));
    const journal = await CommandJournal.open(file, 500, { maxEntryBytes: 4096 });
    for (const id of ["command-a", "command-b", "command-d"]) expect(journal.lookup(id)).toEqual({ id, state: "finished", result: succeeded(id, id) });
    // Its outcome is gone with its result, but it ran: a redelivery is answered, not run again.
    expect(journal.lookup("command-c")).toMatchObject({
      state: "finished",
      result: { id: "command-c", ok: false, error: { code: "unavailable", message: expect.stringMatching(/it was not run again/) } },
    });
    expect((await stat(file)).size).toBeLessThan(4 * 1024);
  });

  it("keeps a result over its limit as an outline, which is what a redelivery gets, after a restart too", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "journal-"));
    const file = path.join(dir, "commands.jsonl");
    const journal = await CommandJournal.open(file, 500, { maxEntryBytes: 4096 });
    await journal.finished(succeeded("command-a", { entries: "x".repeat(10_000) }));
    await journal.finished({ id: "command-b", ok: false, error: { code: "handler_failed", message: `apt-get failed: ${"y".repeat(10_000)}` }, startedAt: 1, endedAt: 2 });
    await journal.finished(succeeded("command-c", { entries: "small" }));
    for (const opened of [journal, await CommandJournal.open(file, 500, { maxEntryBytes: 4096 })]) {
      expect(opened.lookup("command-a")).toEqual({
        id: "command-a",
        state: "finished",
        result: {
          id: "command-a",
          ok: false,
          error: {
            code: "unavailable",
            message: expect.stringMatching(/^This command already ran on the device and succeeded; it was not run again\. But its result \(\d+ bytes\) was larger than the 4096 bytes .* send it as a new command/),
          },
          startedAt: 1,
          endedAt: 2,
        },
      });
      expect(opened.lookup("command-b")).toMatchObject({ result: { ok: false, error: { code: "handler_failed", message: expect.stringMatching(/^apt-get failed: y{100}.*… \(shortened: its result/) } } });
      expect(opened.lookup("command-c")).toEqual({ id: "command-c", state: "finished", result: succeeded("command-c", { entries: "small" }) });
    }
    expect((await stat(file)).size).toBeLessThan(3 * 4096);
  });

  it("compacts by bytes: the file stays within its bound, keeping every id, the newest results whole and older large ones outlined", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "journal-"));
    const file = path.join(dir, "commands.jsonl");
    const bytes = { maxEntryBytes: 16_384, maxBytes: 262_144 };
    const journal = await CommandJournal.open(file, 100, bytes);
    const ids = Array.from({ length: 60 }, (_, i) => `command-${String(i).padStart(2, "0")}`);
    const data = "x".repeat(12_000);
    for (const id of ids) {
      await journal.started(id);
      await journal.finished(succeeded(id, data));
      expect((await stat(file)).size).toBeLessThanOrEqual(bytes.maxBytes + bytes.maxEntryBytes);
    }
    // What it holds in memory is what the file holds.
    const held = ids.map((id) => JSON.stringify(journal.lookup(id)).length).reduce((a, b) => a + b);
    expect(held).toBeLessThanOrEqual(bytes.maxBytes + bytes.maxEntryBytes);
    for (const opened of [journal, await CommandJournal.open(file, 100, bytes)]) {
      for (const id of ids) expect(opened.lookup(id), id).toMatchObject({ id, state: "finished" });
      expect(opened.lookup("command-59")).toEqual({ id: "command-59", state: "finished", result: succeeded("command-59", data) });
      expect(opened.lookup("command-00")).toMatchObject({ result: { ok: false, error: { code: "unavailable", message: expect.stringMatching(/no longer kept/) } } });
    }
  });

  it("writes the records of commands that finish at once, and compacts, one write at a time: every one lands on disk", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "journal-"));
    const file = path.join(dir, "commands.jsonl");
    const bytes = { maxEntryBytes: 100_000, maxBytes: 100_000 };
    const journal = await CommandJournal.open(file, 500, bytes);
    const ids = Array.from({ length: 20 }, (_, i) => `command-${String(i).padStart(2, "0")}`);
    // Twenty results of 30 KB at once: the journal passes its bound, and so compacts, while others are still being written.
    await Promise.all(ids.map((id) => journal.finished(succeeded(id, "x".repeat(30_000)))));
    const reopened = await CommandJournal.open(file, 500, bytes);
    for (const id of ids) expect(reopened.lookup(id), id).toMatchObject({ id, state: "finished" });
    expect(await readdir(dir)).toEqual(["commands.jsonl"]);
  });

  it("opens on a full disk, where it cannot be compacted, keeping what it read; records written once there is room land whole after one cut short", async (context) => {
    // A real full file system: a 256 KiB tmpfs, which only root may mount (and not in every container).
    const dir = await mkdtemp(path.join(tmpdir(), "journal-"));
    const mounted = await promisify(execFile)("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", dir]).then(
      () => undefined,
      (error: { stderr?: string; message: string }) => error.stderr || error.message,
    );
    context.skip(mounted !== undefined, `needs a tmpfs mount for a full disk, which this machine refused: ${mounted}`);
    try {
      const file = path.join(dir, "commands.jsonl");
      const ids = Array.from({ length: 50 }, (_, i) => `command-${String(i).padStart(2, "0")}`);
      // Fifty finished commands, over the 2 × 10 a journal of 10 compacts past, and the start of a record a full disk cut short.
      const written = `${ids.map((id) => line(id)).join("")}{"id":"command-50","sta`;
      await writeFile(file, written);
      const filler = await fill(dir);

      const log = keptLog();
      const journal = await CommandJournal.open(file, 10, {}, log);
      expect(journal.lookup("command-49")).toEqual({ id: "command-49", state: "finished", result: succeeded("command-49", "command-49") });
      expect(log.lines).toEqual([expect.stringMatching(/^could not compact the command journal .*commands\.jsonl \(ENOSPC\): it stays as it was/)]);
      expect(await readFile(file, "utf8")).toBe(written);
      // Longer than the room left in the file's last page: the disk takes part of it, and no more.
      await expect(journal.finished(succeeded("command-51", "x".repeat(8192)))).rejects.toThrow(/ENOSPC/);

      // Space freed (the commands a full disk needs: containers.remove, ai.model_remove), the next record lands whole.
      await rm(filler);
      await journal.finished(succeeded("command-52", "room again"));
      const reopened = await CommandJournal.open(file, 10);
      expect(reopened.lookup("command-52")).toEqual({ id: "command-52", state: "finished", result: succeeded("command-52", "room again") });
      for (const id of ids.slice(-8)) expect(reopened.lookup(id), id).toMatchObject({ id, state: "finished" });
    } finally {
      await promisify(execFile)("umount", [dir]);
    }
  });
});
