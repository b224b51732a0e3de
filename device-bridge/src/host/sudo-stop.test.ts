import { execFile } from "node:child_process";
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRunning } from "./host-port.contract.js";
import type { RunResult } from "./port.js";

const run = promisify(execFile);
const USER = "jetson-bridge-test";
const FIXTURE = fileURLToPath(new URL("./unprivileged-run.fixture.ts", import.meta.url));
// sudo skips names with a dot in /etc/sudoers.d.
const SUDOERS = `/etc/sudoers.d/jetson-bridge-test-${process.pid}`;
let dir: string;
let ids: { uid: string; gid: string };

/** A timeout as the bridge meets it on a board: the bridge an unprivileged user, the program root through real sudo. */
async function runAsBridgeUser(program: string): Promise<RunResult> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", FIXTURE, ids.uid, ids.gid, dir, program, "2000"], { cwd: path.dirname(FIXTURE) });
  return JSON.parse(stdout) as RunResult;
}

const pidOf = async (program: string) => Number(await readFile(path.join(dir, `${program}.pid`), "utf8"));

beforeAll(async () => {
  await run("id", [USER]).catch(() => run("useradd", ["--system", "--no-create-home", "--shell", "/bin/sh", USER]));
  ids = { uid: (await run("id", ["-u", USER])).stdout.trim(), gid: (await run("id", ["-g", USER])).stdout.trim() };
  dir = await mkdtemp(path.join(tmpdir(), "sudo-stop-"));
  await chmod(dir, 0o755);
  // Neither holds the output pipe, so a run that leaves it behind still ends, and the test sees it running.
  const programs = {
    plain: `echo $$ > ${dir}/plain.pid; exec sleep 60 </dev/null >/dev/null 2>&1`,
    slow: `exec </dev/null >/dev/null 2>&1; echo $$ > ${dir}/slow.pid; trap 'sleep 1; echo done > ${dir}/slow.cleaned; exit 0' TERM; while :; do sleep 0.1; done`,
  };
  for (const [name, body] of Object.entries(programs)) {
    await writeFile(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
  const candidate = path.join(dir, "sudoers");
  await writeFile(candidate, `${USER} ALL=(root) NOPASSWD: ${dir}/plain, ${dir}/slow\n`, { mode: 0o440 });
  await run("visudo", ["-c", "-q", "-f", candidate]);
  await copyFile(candidate, SUDOERS);
  await chmod(SUDOERS, 0o440);
});

afterAll(async () => {
  await rm(SUDOERS, { force: true });
  for (const program of ["plain", "slow"]) {
    const pid = await pidOf(program).catch(() => undefined);
    if (pid && (await isRunning(pid))) process.kill(pid, "SIGKILL");
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("a timeout on a program run through sudo by an unprivileged bridge", () => {
  it("stops the program itself, not only sudo", { timeout: 30_000 }, async () => {
    const result = await runAsBridgeUser("plain");
    expect(result.timedOut).toBe(true);
    expect(await isRunning(await pidOf("plain"))).toBe(false);
  });

  it("gives a program that is slow to stop the time to clean up, and it is gone when the run ends", { timeout: 30_000 }, async () => {
    const result = await runAsBridgeUser("slow");
    expect(result.timedOut).toBe(true);
    expect(await readFile(path.join(dir, "slow.cleaned"), "utf8")).toBe("done\n");
    expect(await isRunning(await pidOf("slow"))).toBe(false);
  });
});
