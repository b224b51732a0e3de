import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { utils } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalSshd, startSshd } from "../../../scripts/sshd.js";
import type { Logger } from "../log.js";
import { runHostPortContract } from "./host-port.contract.js";
import { HostKeyMismatchError, SshConnection, type SshTarget } from "./ssh-connection.js";
import { shellQuote, SshHost } from "./ssh-host.js";

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
let sshd: LocalSshd;
const connections: SshConnection[] = [];

function target(overrides: Partial<SshTarget> = {}): SshTarget {
  return { host: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey, hostKeysSha256: [sshd.hostKeySha256], ...overrides };
}

function connect(overrides: Partial<SshTarget> = {}): SshConnection {
  const connection = new SshConnection(target(overrides), quiet, { minMs: 50, maxMs: 500 });
  connections.push(connection);
  return connection;
}

beforeAll(async () => {
  sshd = await startSshd(await mkdtemp(path.join(tmpdir(), "sshd-")));
});

afterAll(async () => {
  for (const connection of connections) connection.close();
  await sshd?.stop();
});

runHostPortContract("SshHost over OpenSSH on 127.0.0.1", async (root, programDir) =>
  new SshHost({ connection: connect(), root, programDirs: [programDir], defaultTimeoutMs: 5_000, defaultMaxOutputBytes: 1 << 20, stopGraceMs: 1_000 }),
);

describe("the SSH connection", () => {
  it("quotes every word so the remote shell takes it literally", () => {
    expect(shellQuote("it's; $(reboot)")).toBe(`'it'\\''s; $(reboot)'`);
    expect(() => shellQuote("a\0b")).toThrow(/NUL/);
  });

  it("keeps hostile arguments literal through the remote login shell, running nothing they name", async () => {
    // OpenSSH hands the one command string to the user's login shell (`$SHELL -c`): only quoting stands between an argument and that shell.
    const dir = await mkdtemp(path.join(tmpdir(), "quoting-"));
    const marker = path.join(dir, "pwned");
    const hostile = [
      `'; touch ${marker}; '`,
      `'"'"'; touch ${marker}; echo '`,
      `\\'; touch ${marker}; '`,
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `x\ntouch ${marker}`,
      `x\rtouch ${marker}`,
      `|| touch ${marker}`,
      `&& touch ${marker} &`,
      `> ${marker}`,
      `$'\\x27'; touch ${marker}`,
      "${IFS}$HOME~*?[a]{a,b}!!#",
      "'",
      '"',
      "\\",
      "",
      "-n",
      "ünïcødé ✓",
    ];
    const host = new SshHost({ connection: connect(), root: "/", programDirs: ["/usr/bin", "/bin"], defaultTimeoutMs: 5_000, defaultMaxOutputBytes: 1 << 20 });
    const result = await host.run("printf", ["%s\\n", ...hostile]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(hostile.map((word) => `${word}\n`).join(""));
    expect(await stat(marker).catch(() => undefined)).toBeUndefined();
    await rm(dir, { recursive: true });
  });

  it("refuses a server whose host key is not the pinned one, showing the key it saw", async () => {
    const error = await connect({ hostKeysSha256: ["SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"] })
      .ready()
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(HostKeyMismatchError);
    expect(String(error)).toContain(sshd.hostKeySha256);
  });

  it("gives up after its attempts when the server refuses the login, instead of retrying forever", async () => {
    const unknownKey = utils.generateKeyPairSync("ed25519").private;
    const connection = new SshConnection(target({ privateKey: unknownKey }), quiet, { minMs: 10, maxMs: 10, attempts: 2 });
    connections.push(connection);
    await expect(connection.ready()).rejects.toThrow(/authentication methods failed/);
  });

  it("reuses one connection for many commands and comes back after the server restarts", async () => {
    const connection = connect();
    const host = new SshHost({ connection, root: "/", programDirs: ["/bin", "/usr/bin"], defaultTimeoutMs: 5_000, defaultMaxOutputBytes: 10_000 });
    const first = await connection.ready();
    for (let i = 0; i < 5; i++) expect((await host.run("echo", [`call ${i}`])).stdout).toBe(`call ${i}\n`);
    expect(await connection.ready()).toBe(first);
    await sshd.restart();
    await expect.poll(async () => (await host.run("echo", ["back"]).catch(() => undefined))?.stdout, { timeout: 15_000 }).toBe("back\n");
    expect(await connection.ready()).not.toBe(first);
  });
});
