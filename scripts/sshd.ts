import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { hostKeyFingerprint } from "../device-bridge/src/host/ssh-connection.js";
import { freePort } from "./ports.js";
import { ManagedProcess } from "./processes.js";

const run = promisify(execFile);

export interface LocalSshd {
  host: "127.0.0.1";
  port: number;
  username: string;
  /** Private key (OpenSSH format) that the server accepts for `username`. */
  privateKey: string;
  /** The server's host key as `SHA256:...`, for pinning. */
  hostKeySha256: string;
  stop(): Promise<void>;
  /** Restarts the server on the same port and keys, dropping every open session (as a reboot of the device would). */
  restart(): Promise<void>;
}

export interface SshdOptions {
  /** Also accept users' passwords. */
  passwords?: boolean;
  /**
   * Folders its sessions see at other paths: each `source` bind-mounted over the empty `target` folder in a
   * mount namespace of the server's own, so a program outside it (a gateway) finds nothing at `target`.
   */
  mounts?: { source: string; target: string }[];
}

const SSHD = "/usr/sbin/sshd";

// Runs as `sh -c BIND_THEN_EXEC sh SOURCE TARGET ... -- PROGRAM ARGS`: each pair mounted, then the program.
const BIND_THEN_EXEC = 'while [ "$1" != -- ]; do mount --bind "$1" "$2" || exit 1; shift 2; done; shift; exec "$@"';

/** An OpenSSH server on 127.0.0.1 with its own host key and config, accepting one generated client key (and, when asked, users' passwords). */
export async function startSshd(dir: string, options: SshdOptions = {}): Promise<LocalSshd> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await mkdir("/run/sshd", { recursive: true });
  const hostKeyFile = path.join(dir, "host_ed25519");
  const clientKeyFile = path.join(dir, "client_ed25519");
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKeyFile]);
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", clientKeyFile]);
  await writeFile(path.join(dir, "authorized_keys"), await readFile(`${clientKeyFile}.pub`), { mode: 0o600 });
  const port = await freePort();
  const config = path.join(dir, "sshd_config");
  await writeFile(
    config,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKeyFile}`,
      `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      "StrictModes no",
      "UsePAM no",
      `PasswordAuthentication ${options.passwords ? "yes" : "no"}`,
      "PermitRootLogin prohibit-password",
      "AllowAgentForwarding no",
      "Subsystem sftp internal-sftp",
      "MaxStartups 100:30:200",
      "",
    ].join("\n"),
  );
  const mounts = options.mounts ?? [];
  for (const { target } of mounts) await mkdir(target, { recursive: true });
  const sshdArgs = ["-D", "-e", "-f", config];
  const launch = async () => {
    const sshd =
      mounts.length === 0
        ? ManagedProcess.start("sshd", SSHD, sshdArgs)
        : ManagedProcess.start("sshd", "unshare", [
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            BIND_THEN_EXEC,
            "sh",
            ...mounts.flatMap(({ source, target }) => [source, target]),
            "--",
            SSHD,
            ...sshdArgs,
          ]);
    await sshd.waitForLine(/Server listening on 127\.0\.0\.1/);
    return sshd;
  };
  let sshd = await launch();
  const publicKey = (await readFile(`${hostKeyFile}.pub`, "utf8")).split(" ")[1] ?? "";
  return {
    host: "127.0.0.1",
    port,
    username: userInfo().username,
    privateKey: await readFile(clientKeyFile, "utf8"),
    hostKeySha256: hostKeyFingerprint(Buffer.from(publicKey, "base64")),
    stop: () => sshd.stop(),
    restart: async () => {
      // Sessions are the listener's children in sessions of their own: they outlive it unless killed too.
      await killDescendants(sshd.child.pid);
      await sshd.stop();
      sshd = await launch();
    },
  };
}

/** Kills every process below `pid` (not `pid` itself). */
async function killDescendants(pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  const { stdout } = await run("ps", ["-eo", "pid=,ppid="]);
  const children = new Map<number, number[]>();
  for (const line of stdout.trim().split("\n")) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (child === undefined || parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const below: number[] = [];
  const walk = (p: number) => {
    for (const child of children.get(p) ?? []) {
      below.push(child);
      walk(child);
    }
  };
  walk(pid);
  for (const victim of below) {
    try {
      process.kill(victim, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}
