import { execFile } from "node:child_process";
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { CommandJournal } from "./command-journal.js";

const OPENER = fileURLToPath(new URL("./command-journal-open.fixture.ts", import.meta.url));
const IDS = ["command-a", "command-b", "command-c", "command-d", "command-e"];
const line = (id: string) => `${JSON.stringify({ id, state: "finished", result: { id, startedAt: 1, endedAt: 2, ok: true, data: id } })}\n`;

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
});
