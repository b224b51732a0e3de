import { execFile } from "node:child_process";
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalSshd, startSshd } from "../../../scripts/sshd.js";
import type { Logger } from "../log.js";
import { isRunning } from "./host-port.contract.js";
import type { RunResult } from "./port.js";
import { SshConnection } from "./ssh-connection.js";
import { SshHost } from "./ssh-host.js";

const run = promisify(execFile);
const USER = "jetson-bridge-test";
const FIXTURE = fileURLToPath(new URL("./unprivileged-run.fixture.ts", import.meta.url));
// sudo skips names with a dot in /etc/sudoers.d.
const SUDOERS = `/etc/sudoers.d/jetson-bridge-test-${process.pid}`;
const TIMEOUT_MS = 2_000;
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
let dir: string;
let ids: { uid: string; gid: string };
let sshd: LocalSshd;
let connection: SshConnection;
const pidFiles: string[] = [];

/** How each host port meets a timeout on a board: the bridge an unprivileged user, the program root through real sudo. */
const BRIDGES: Record<string, (program: string, pidFile: string) => Promise<RunResult>> = {
  NodeHost: async (program, pidFile) => {
    const argv = ["--import", "tsx", FIXTURE, ids.uid, ids.gid, dir, program, String(TIMEOUT_MS), pidFile];
    return JSON.parse((await run(process.execPath, argv, { cwd: path.dirname(FIXTURE) })).stdout) as RunResult;
  },
  "SshHost, logged in as that user": (program, pidFile) =>
    new SshHost({
      connection,
      root: "/",
      programDirs: [dir],
      defaultTimeoutMs: TIMEOUT_MS,
      defaultMaxOutputBytes: 1 << 16,
      sudo: { path: "/usr/bin/sudo", programs: [program] },
    }).run(program, [pidFile]),
};

beforeAll(async () => {
  await run("id", [USER]).catch(() => run("useradd", ["--system", "--no-create-home", "--shell", "/bin/sh", USER]));
  // No password, but not locked either: sshd refuses a locked account even a key login.
  await run("usermod", ["-p", "*", USER]);
  ids = { uid: (await run("id", ["-u", USER])).stdout.trim(), gid: (await run("id", ["-g", USER])).stdout.trim() };
  dir = await mkdtemp(path.join(tmpdir(), "sudo-stop-"));
  await chmod(dir, 0o755);
  // Neither holds the output pipe, so a run that leaves its program behind still ends, and the test sees it running.
  const programs = {
    plain: `echo $$ > "$1"; exec sleep 60 </dev/null >/dev/null 2>&1`,
    slow: `exec </dev/null >/dev/null 2>&1; pidfile=$1; echo $$ > "$pidfile"; trap 'sleep 1; echo done > "$pidfile.cleaned"; exit 0' TERM; while :; do sleep 0.1; done`,
  };
  for (const [name, body] of Object.entries(programs)) await writeFile(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  const candidate = path.join(dir, "sudoers");
  await writeFile(candidate, `${USER} ALL=(root) NOPASSWD: ${dir}/plain, ${dir}/slow\n`, { mode: 0o440 });
  await run("visudo", ["-c", "-q", "-f", candidate]);
  await copyFile(candidate, SUDOERS);
  await chmod(SUDOERS, 0o440);

  const sshdDir = path.join(dir, "sshd");
  sshd = await startSshd(sshdDir);
  // sshd reads authorized_keys as the user logging in.
  await chmod(sshdDir, 0o711);
  await chmod(path.join(sshdDir, "authorized_keys"), 0o644);
  connection = new SshConnection(
    { host: sshd.host, port: sshd.port, username: USER, privateKey: sshd.privateKey, hostKeysSha256: [sshd.hostKeySha256] },
    quiet,
    { minMs: 50, maxMs: 500, attempts: 3 },
  );
});

afterAll(async () => {
  connection?.close();
  await sshd?.stop();
  await rm(SUDOERS, { force: true });
  for (const file of pidFiles) {
    const pid = Number(await readFile(file, "utf8").catch(() => ""));
    if (pid && (await isRunning(pid))) process.kill(pid, "SIGKILL");
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

for (const [bridge, runAsBridgeUser] of Object.entries(BRIDGES)) {
  describe(`a timeout on a program run through sudo by an unprivileged bridge (${bridge})`, () => {
    const pidFile = (program: string) => {
      const file = path.join(dir, `${program}-${bridge.split(",")[0]}.pid`);
      pidFiles.push(file);
      return file;
    };

    it("stops the program itself, not only sudo", { timeout: 30_000 }, async () => {
      const file = pidFile("plain");
      const result = await runAsBridgeUser("plain", file);
      expect(result.timedOut).toBe(true);
      expect(await isRunning(Number(await readFile(file, "utf8")))).toBe(false);
    });

    it("gives a program that is slow to stop the time to clean up, and it is gone when the run ends", { timeout: 30_000 }, async () => {
      const file = pidFile("slow");
      const result = await runAsBridgeUser("slow", file);
      expect(result.timedOut).toBe(true);
      expect(await readFile(`${file}.cleaned`, "utf8")).toBe("done\n");
      expect(await isRunning(Number(await readFile(file, "utf8")))).toBe(false);
    });
  });
}
