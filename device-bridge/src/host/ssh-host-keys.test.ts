import { execFile } from "node:child_process";
import { appendFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalSshd, startSshd } from "../../../scripts/sshd.js";
import type { Logger } from "../log.js";
import { HostKeyMismatchError, SshConnection } from "./ssh-connection.js";
import { SshHost } from "./ssh-host.js";

const run = promisify(execFile);
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const connections: SshConnection[] = [];
let sshd: LocalSshd;
/** The server's host keys by type, each as `ssh-keygen -lf` prints its fingerprint. */
const fingerprints: Record<string, string> = {};

/** What the README tells a user to pin: the fingerprint `ssh-keygen -lf` prints for a host key. */
async function fingerprint(publicKeyFile: string): Promise<string> {
  const { stdout } = await run("ssh-keygen", ["-lf", publicKeyFile]);
  return stdout.split(" ")[1] ?? "";
}

function connect(hostKeysSha256: string[]): SshConnection {
  const target = { host: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey, hostKeysSha256 };
  const connection = new SshConnection(target, quiet, { minMs: 50, maxMs: 500, attempts: 2 });
  connections.push(connection);
  return connection;
}

beforeAll(async () => {
  const dir = path.join(await mkdtemp(path.join(tmpdir(), "host-keys-")), "sshd");
  sshd = await startSshd(dir);
  fingerprints.ed25519 = sshd.hostKeySha256;
  // As a stock Ubuntu server (a Jetson's) has them: RSA and ECDSA keys beside the ed25519 one.
  for (const type of ["rsa", "ecdsa"]) {
    const key = path.join(dir, `host_${type}`);
    await run("ssh-keygen", ["-q", "-t", type, "-N", "", "-f", key]);
    await appendFile(path.join(dir, "sshd_config"), `HostKey ${key}\n`);
    fingerprints[type] = await fingerprint(`${key}.pub`);
  }
  await sshd.restart();
});

afterAll(async () => {
  for (const connection of connections) connection.close();
  await sshd?.stop();
});

describe("a gateway target with host keys of several types", () => {
  for (const type of ["rsa", "ecdsa", "ed25519"]) {
    it(`connects when its ${type} key is the one pinned, and again after it restarts`, { timeout: 30_000 }, async () => {
      const connection = connect([fingerprints[type] ?? ""]);
      const host = new SshHost({ connection, root: "/", programDirs: ["/usr/bin", "/bin"], defaultTimeoutMs: 10_000, defaultMaxOutputBytes: 1 << 16 });
      expect((await host.run("echo", [type])).stdout).toBe(`${type}\n`);
      await sshd.restart();
      await expect.poll(async () => (await host.run("echo", ["back"]).catch(() => undefined))?.stdout, { timeout: 15_000 }).toBe("back\n");
    });
  }

  it("refuses it when none of its keys is pinned, naming each key it showed", async () => {
    const pinned = `SHA256:${"A".repeat(43)}`;
    const error = await connect([pinned])
      .ready()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostKeyMismatchError);
    for (const key of Object.values(fingerprints)) expect(String(error)).toContain(key);
    expect(String(error)).toContain(`none of them the pinned ${pinned}`);
    // The key to check on the device first is the one a plain `ssh` would show: the ed25519 one.
    expect((error as HostKeyMismatchError).seen).toBe(fingerprints.ed25519);
  });

  it("refuses it at its first key when no key is known, showing that key", async () => {
    const error = await connect([])
      .ready()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostKeyMismatchError);
    expect(String(error)).toContain(`is ${fingerprints.ed25519}, not a known key`);
  });
});
