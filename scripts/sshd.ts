import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "./ports.js";
import { ManagedProcess } from "./processes.js";

const run = promisify(execFile);

export interface LocalSshd {
  host: "127.0.0.1";
  port: number;
  username: string;
  /** Private key (OpenSSH format) that the server accepts for `username`. */
  privateKey: string;
  /** The server's public host key line, for pinning. */
  hostKey: string;
  stop(): Promise<void>;
}

/** An OpenSSH server on 127.0.0.1 with its own host key and config, accepting one generated client key. */
export async function startSshd(dir: string): Promise<LocalSshd> {
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
      "PasswordAuthentication no",
      "PermitRootLogin prohibit-password",
      "AllowAgentForwarding no",
      "MaxStartups 100:30:200",
      "",
    ].join("\n"),
  );
  const sshd = ManagedProcess.start("sshd", "/usr/sbin/sshd", ["-D", "-e", "-f", config]);
  await sshd.waitForLine(/Server listening on 127\.0\.0\.1/);
  return {
    host: "127.0.0.1",
    port,
    username: userInfo().username,
    privateKey: await readFile(clientKeyFile, "utf8"),
    hostKey: (await readFile(`${hostKeyFile}.pub`, "utf8")).trim(),
    stop: () => sshd.stop(),
  };
}
