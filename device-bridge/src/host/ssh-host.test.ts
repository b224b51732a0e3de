import { appendFile, mkdir, mkdtemp, rm, stat, symlink, truncate, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Connection, Server, type Session, utils } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalSshd, startSshd } from "../../../scripts/sshd.js";
import type { Logger } from "../log.js";
import { runHostPortContract } from "./host-port.contract.js";
import { HostKeyMismatchError, hostKeyFingerprint, SshConnection, type SshTarget } from "./ssh-connection.js";
import { MAX_DIR_ENTRIES, MAX_READ_FILE_BYTES, shellQuote, SshHost } from "./ssh-host.js";

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
let sshd: LocalSshd;
let sshdDir: string;
const connections: SshConnection[] = [];

/** A fresh key pair: ssh2 now and then (about 1 in 200) generates an ed25519 key it cannot parse back, so such a key is thrown away. */
function ed25519Key(): { private: string; public: string } {
  for (;;) {
    const key = utils.generateKeyPairSync("ed25519");
    if (!(utils.parseKey(key.private) instanceof Error)) return key;
  }
}

function target(overrides: Partial<SshTarget> = {}): SshTarget {
  return { host: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey, hostKeysSha256: [sshd.hostKeySha256], ...overrides };
}

function connect(overrides: Partial<SshTarget> = {}): SshConnection {
  const connection = new SshConnection(target(overrides), quiet, { minMs: 50, maxMs: 500 });
  connections.push(connection);
  return connection;
}

beforeAll(async () => {
  sshdDir = await mkdtemp(path.join(tmpdir(), "sshd-"));
  sshd = await startSshd(sshdDir);
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
    const unknownKey = ed25519Key().private;
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

/** A login on the test's OpenSSH whose sessions print first, as a ~/.bashrc line would; SFTP still reaches a real sftp-server. */
async function loginPrinting(shellText: string): Promise<SshConnection> {
  const key = ed25519Key();
  const command = `case \\"$SSH_ORIGINAL_COMMAND\\" in internal-sftp) exec /usr/lib/openssh/sftp-server;; *) ${shellText};; esac`;
  await appendFile(path.join(sshdDir, "authorized_keys"), `command="${command}" ${key.public}\n`);
  return connect({ privateKey: key.private });
}

describe("a gateway target whose login prints before the command's pid", () => {
  const host = (connection: SshConnection) =>
    new SshHost({ connection, root: "/", programDirs: ["/usr/bin", "/bin"], defaultTimeoutMs: 5_000, defaultMaxOutputBytes: 1 << 20 });

  it("fails a command at once when that output never ends, though its timeout is weeks away", { timeout: 10_000 }, async () => {
    const flooding = host(await loginPrinting("while :; do printf %065536d 0; done"));
    // As the telemetry stream runs: a timeout that never comes.
    await expect(flooding.run("true", [], { timeoutMs: 2 ** 31 - 1, onStdoutLine: () => undefined })).rejects.toThrow(
      /printed something before the command's pid: check its shell startup files \(~\/\.bashrc\)/,
    );
  });

  it("fails a command when a line comes before the pid, instead of signalling whatever that line names", async () => {
    const greeting = host(await loginPrinting(`echo Welcome; exec sh -c \\"$SSH_ORIGINAL_COMMAND\\"`));
    await expect(greeting.run("echo", ["hello"])).rejects.toThrow(/printed something before the command's pid/);
  });
});

describe("files a gateway target makes too large", () => {
  let dir: string;
  let host: SshHost;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "huge-"));
    host = new SshHost({ connection: connect(), root: "/", programDirs: ["/usr/bin", "/bin"], defaultTimeoutMs: 5_000, defaultMaxOutputBytes: 1 << 20 });
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("reads /dev/zero and a sparse 1 TiB file as unreadable, never past the cap, and the connection stays usable", { timeout: 15_000 }, async () => {
    await symlink("/dev/zero", path.join(dir, "zero"));
    await writeFile(path.join(dir, "sparse"), "");
    await truncate(path.join(dir, "sparse"), 2 ** 40);
    expect(await host.readFile(path.join(dir, "zero"))).toBeUndefined();
    expect(await host.readFile(path.join(dir, "sparse"))).toBeUndefined();
    expect((await host.run("echo", ["still here"])).stdout).toBe("still here\n");
  });

  it("reads a file of exactly the cap, and one byte more as unreadable", async () => {
    await writeFile(path.join(dir, "full"), "x".repeat(MAX_READ_FILE_BYTES));
    await writeFile(path.join(dir, "over"), "x".repeat(MAX_READ_FILE_BYTES + 1));
    expect((await host.readFile(path.join(dir, "full")))?.length).toBe(MAX_READ_FILE_BYTES);
    expect(await host.readFile(path.join(dir, "over"))).toBeUndefined();
  });

  it("lists a folder with more entries than the cap as empty", async () => {
    const folder = path.join(dir, "many");
    await mkdir(folder);
    await Promise.all(Array.from({ length: MAX_DIR_ENTRIES + 1 }, (_, i) => writeFile(path.join(folder, `f${i}`), "")));
    expect(await host.listDir(folder)).toEqual([]);
    await rm(path.join(folder, "f0"));
    expect(await host.listDir(folder)).toHaveLength(MAX_DIR_ENTRIES);
  });
});

interface Hostility {
  /** How many channels it opens (an SFTP session, then commands); later ones are never answered, neither opened nor refused. */
  opens: number;
  /** Whether its SFTP server answers (every path a program), or leaves each request unanswered. */
  sftpAnswers: boolean;
  /** What each command prints; none ever ends. */
  output?: string;
}

interface HostileTarget {
  connect(replyTimeoutMs: number): SshConnection;
  /** Settles once the bridge's connection to it has gone. */
  dropped: Promise<void>;
}

const hostileServers: Server[] = [];
afterAll(() => {
  for (const server of hostileServers) server.close();
});

/** A gateway target that OpenSSH cannot stand for (ssh2's own server): it logs anyone in, then misbehaves as told. */
async function startHostileTarget(hostility: Hostility): Promise<HostileTarget> {
  const hostKey = ed25519Key();
  const clientKey = ed25519Key();
  let opened = 0;
  let markDropped: () => void = () => undefined;
  const dropped = new Promise<void>((resolve) => {
    markDropped = resolve;
  });
  const server = new Server({ hostKeys: [hostKey.private] }, (client: Connection) => {
    client.on("authentication", (context) => context.accept());
    client.on("error", () => undefined);
    client.on("close", markDropped);
    client.on("session", (accept) => {
      if (opened++ >= hostility.opens) return;
      const session: Session = accept();
      session.on("sftp", (acceptSftp) => {
        const sftp = acceptSftp();
        if (hostility.sftpAnswers) sftp.on("STAT", (id) => sftp.attrs(id, { mode: 0o100755, uid: 0, gid: 0, size: 0, atime: 0, mtime: 0 }));
        // A request with no listener would be answered "unsupported".
        else for (const request of ["REALPATH", "STAT", "OPEN", "OPENDIR", "EXTENDED"] as const) sftp.on(request, () => undefined);
      });
      session.on("exec", (acceptExec) => acceptExec().write(hostility.output ?? ""));
    });
  });
  hostileServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const hostKeySha256 = hostKeyFingerprint(Buffer.from(hostKey.public.split(" ")[1] ?? "", "base64"));
  return {
    connect: (replyTimeoutMs) => {
      const target = { host: "127.0.0.1", port, username: "jetson", privateKey: clientKey.private, hostKeysSha256: [hostKeySha256] };
      const connection = new SshConnection(target, quiet, { minMs: 50, maxMs: 500 }, replyTimeoutMs);
      connections.push(connection);
      return connection;
    },
    dropped,
  };
}

function hostileHost(connection: SshConnection, timeoutMs: number): SshHost {
  return new SshHost({ connection, root: "/", programDirs: ["/usr/bin"], defaultTimeoutMs: timeoutMs, defaultMaxOutputBytes: 1 << 20, stopGraceMs: 200 });
}

describe("a gateway target that leaves requests unanswered", () => {
  it("ends a command whose channel it never opens as timed out, then drops that connection", { timeout: 10_000 }, async () => {
    const target = await startHostileTarget({ opens: 1, sftpAnswers: true });
    const host = hostileHost(target.connect(1_000), 300);
    expect(await host.run("true", [])).toMatchObject({ timedOut: true, exitCode: null, stdout: "" });
    await target.dropped;
  });

  it("ends a command aborted before its channel opened at once, as aborted", { timeout: 10_000 }, async () => {
    const target = await startHostileTarget({ opens: 0, sftpAnswers: true });
    const host = hostileHost(target.connect(1_000), 60_000);
    const controller = new AbortController();
    const running = host.run("true", [], { signal: controller.signal });
    controller.abort();
    expect(await running).toMatchObject({ aborted: true, timedOut: false, exitCode: null });
  });

  it("fails a command a grace after SIGKILL when the kill's own channel never opens, saying it may still be running", { timeout: 10_000 }, async () => {
    // Opens the SFTP session and the command's channel, which prints its pid and some output but never ends; the kill's channel never opens.
    const target = await startHostileTarget({ opens: 2, sftpAnswers: true, output: "4242\npartial" });
    const host = hostileHost(target.connect(5_000), 300);
    await expect(host.run("true", [])).rejects.toThrow("Could not stop true on the device (the kill could not be sent within 200 ms): it may still be running");
  });

  for (const [what, hostility] of [
    ["never opens SFTP", { opens: 0, sftpAnswers: true }],
    ["never answers an SFTP request", { opens: 1, sftpAnswers: false }],
  ] as const) {
    it(`fails file operations in time when it ${what}, dropping the connection`, { timeout: 10_000 }, async () => {
      const target = await startHostileTarget(hostility);
      const host = hostileHost(target.connect(300), 60_000);
      await expect(host.readFile("/etc/hostname")).rejects.toThrow(/reading \/etc\/hostname on 127\.0\.0\.1:\d+ had no answer within 300 ms/);
      await target.dropped;
      await expect(host.listDir("/etc")).rejects.toThrow(/no answer within 300 ms/);
      await expect(host.statFs("/")).rejects.toThrow(/no answer within 300 ms/);
      await expect(host.run("true", [])).rejects.toThrow(/looking for true .* no answer within 300 ms/);
    });
  }
});

describe("errors the SSH client reports", () => {
  it("survives a second error from the same connection (a parser error, then the socket's), which would otherwise end the process", async () => {
    const client = await connect().ready();
    expect(() => {
      client.emit("error", new Error("Bad packet length"));
      client.emit("error", new Error("read ECONNRESET"));
    }).not.toThrow();
  });
});
