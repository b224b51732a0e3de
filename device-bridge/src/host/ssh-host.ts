import path from "node:path";
import type { ClientChannel, SFTPWrapper } from "ssh2";
import { assertProgramName, commandLine, type HostOptions, notInstalled } from "./host-options.js";
import { DEFAULT_STOP_GRACE_MS, GracefulStop, type StopSignal } from "./graceful-stop.js";
import { CappedText, GuardedLines, runResult } from "./output.js";
import { type ActingProcess, type FsSpace, type HostPort, HostPortError, type RunOptions, type RunResult } from "./port.js";
import { resolveUnderRoot } from "./root-path.js";
import type { SshConnection } from "./ssh-connection.js";

export interface SshHostOptions extends HostOptions {
  connection: SshConnection;
}

/** The fields of OpenSSH's statvfs reply that disk space needs (uint64, as number or bigint). */
interface StatVfs {
  f_frsize: number | bigint;
  f_blocks: number | bigint;
  f_bfree: number | bigint;
  f_bavail: number | bigint;
}

/** The longest file readFile takes; a longer one (a hostile target's /dev/zero, a sparse 1 TiB file) reads as unreadable. */
export const MAX_READ_FILE_BYTES = 1 << 20;
/** The most entries listDir takes (sysfs folders hold tens); a folder with more lists as empty. */
export const MAX_DIR_ENTRIES = 1_000;
const READ_CHUNK_BYTES = 64 * 1024;
/** SSH_FX_EOF: the status that ends a listing. */
const SFTP_STATUS_EOF = 1;
/** A pid is a number below 2^32: ten digits at most. */
const MAX_PID_DIGITS = 10;

const OUTPUT_BEFORE_PID =
  "The gateway target printed something before the command's pid: check its shell startup files (~/.bashrc) for output";

/** Takes the remote pid, the first line of a command's output, off the front of it. */
class PidLine {
  value: number | undefined;
  private digits = "";

  /** The output after the pid line; throws as soon as what comes first cannot be a pid, so it is never buffered. */
  strip(chunk: Buffer): Buffer {
    if (this.value !== undefined) return chunk;
    const newline = chunk.indexOf(0x0a);
    const end = newline < 0 ? chunk.length : newline;
    this.digits += chunk.toString("latin1", 0, Math.min(end, MAX_PID_DIGITS + 1));
    if (!/^\d*$/.test(this.digits) || this.digits.length > MAX_PID_DIGITS) throw new Error(OUTPUT_BEFORE_PID);
    if (newline < 0) return chunk.subarray(chunk.length);
    // `kill -TERM -0` would signal the kill's own group and `-1` every process of the user: neither is a command's group.
    if (Number(this.digits) < 2) throw new Error(OUTPUT_BEFORE_PID);
    this.value = Number(this.digits);
    return chunk.subarray(newline + 1);
  }
}

/** SSH carries one command string, so every word is single-quoted: the remote shell sees each as a literal. */
export function shellQuote(word: string): string {
  if (word.includes("\0")) throw new HostPortError("bad_program", "An argument may not contain a NUL byte");
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The host port of a Jetson reached over SSH (gateway mode): programs over exec, files over SFTP. */
export class SshHost implements HostPort {
  constructor(private readonly options: SshHostOptions) {}

  async run(program: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const maxBytes = options.maxOutputBytes ?? this.options.defaultMaxOutputBytes;
    const graceMs = this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    const out = new CappedText(maxBytes);
    const err = new CappedText(maxBytes);
    return new Promise((resolve, reject) => {
      /** Undefined until the server has opened it: a stop before then ends the run at once. */
      let channel: ClientChannel | undefined;
      let timedOut = false;
      let settled = false;
      let exitCode: number | null = null;
      let signal: string | null = null;
      let killWait: NodeJS.Timeout | undefined;
      const pid = new PidLine();
      let pidArrived: (value: number) => void = () => undefined;
      /** The remote pid: a signal asked for before it arrives waits for it. */
      const remotePid = new Promise<number>((resolve) => {
        pidArrived = resolve;
      });
      /** Aborted once the run is answered: a channel not yet asked for is then never opened, so its program never starts. */
      const answered = new AbortController();
      /** Aborted once the program's channel has closed: a kill not yet sent would find its group gone, or its pid reused. */
      const gone = new AbortController();
      const stopper = new GracefulStop((signalName) => {
        const sent = remotePid.then((value) => this.signalGroup(value, signalName, gone.signal));
        // SIGKILL follows a SIGTERM that could not be sent all the same; only SIGKILL decides whether the program was stopped.
        if (signalName === "SIGTERM") return void sent.catch(() => undefined);
        // Past the grace, answer when the program's channel closes (sshd has reaped it: a kill that has run only sent the
        // signal), or a grace after the kill ran, or after this grace if it is still running: something beyond its reach
        // (a root program under sudo) may hold the output open. A kill not sent by then fails the run: the program may still be running.
        const answer = () => {
          channel?.close();
          finish();
        };
        const notStopped = (why: string) => fail(new Error(`Could not stop ${program} on the device (${why}): it may still be running`));
        let killStarted = false;
        killWait = setTimeout(() => (killStarted ? answer() : notStopped(`the kill could not be sent within ${graceMs} ms`)), graceMs);
        sent.then(
          (kill) => {
            killStarted = true;
            void kill.ran.then(() => {
              clearTimeout(killWait);
              killWait = settled ? undefined : setTimeout(answer, graceMs);
            });
          },
          (error: Error) => notStopped(error.message),
        );
      }, graceMs);
      const settle = () => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        clearTimeout(killWait);
        stopper.ended();
        answered.abort();
        options.signal?.removeEventListener("abort", stop);
        return true;
      };
      const finish = () => {
        if (!settle()) return;
        lines?.flush();
        if (lines?.error !== undefined) return reject(lines.error);
        resolve(runResult({ exitCode, signal, timedOut, aborted: options.signal?.aborted ?? false }, out, err));
      };
      const fail = (error: unknown) => {
        if (!settle()) return;
        channel?.close();
        reject(error);
      };
      const stop = () => (channel ? stopper.begin() : finish());
      // Armed before the program is looked up and its channel opened: a server that never opens it cannot outlast the timeout.
      const timer = setTimeout(() => {
        timedOut = true;
        stop();
      }, options.timeoutMs ?? this.options.defaultTimeoutMs);
      const lines = options.onStdoutLine ? new GuardedLines(options.onStdoutLine, stop) : undefined;
      options.signal?.addEventListener("abort", stop, { once: true });
      if (options.signal?.aborted) stop();
      const wire = ({ channel: opened, stdin }: { channel: ClientChannel; stdin?: string }) => {
        channel = opened;
        opened.on("data", (data: Buffer) => {
          let chunk: Buffer;
          try {
            chunk = pid.strip(data);
          } catch (error) {
            opened.close();
            return fail(error);
          }
          if (pid.value !== undefined) pidArrived(pid.value);
          if (settled || !chunk.length) return;
          out.add(chunk);
          lines?.add(chunk);
        });
        opened.stderr.on("data", (chunk: Buffer) => err.add(chunk));
        opened.on("exit", (code: number | null, signalName?: string) => {
          exitCode = code;
          signal = signalName ?? null;
        });
        opened.on("close", () => {
          gone.abort();
          stopper.ended();
          clearTimeout(killWait);
          finish();
        });
        opened.end(stdin ?? "");
        // Answered (cancelled, timed out) while its channel was opening: the program started all the same, so it is stopped, though no one waits for it.
        if (settled) stopper.begin();
      };
      this.start(program, args, options, answered.signal).then(wire, fail);
    });
  }

  /** Finds the program and opens the channel that runs it, its pid printed first; never opens one once `signal` has aborted. */
  private async start(
    program: string,
    args: readonly string[],
    options: RunOptions,
    signal: AbortSignal,
  ): Promise<{ channel: ClientChannel; stdin?: string }> {
    const { argv, stdin } = commandLine(this.options, program, await this.locate(program), args, options);
    // sshd starts each command as a process group leader; printing its pid first lets a timeout signal the group.
    const command = `echo $$; LC_ALL=C DEBIAN_FRONTEND=noninteractive exec ${argv.map(shellQuote).join(" ")}`;
    return { channel: await this.options.connection.exec(command, { signal }), stdin };
  }

  /** Undefined also for a file longer than MAX_READ_FILE_BYTES; rejects when the device does not answer in time. */
  readFile(machinePath: string): Promise<string | undefined> {
    return this.options.connection.withSftp(`reading ${machinePath}`, async (sftp) => {
      const bytes = await readCapped(sftp, await this.resolve(sftp, machinePath), MAX_READ_FILE_BYTES);
      return bytes?.toString("utf8");
    });
  }

  writeFile(machinePath: string, data: string): Promise<void> {
    return this.options.connection.withSftp(`writing ${machinePath}`, async (sftp) => {
      const real = await this.resolve(sftp, machinePath);
      await new Promise<void>((resolve, reject) => sftp.writeFile(real, data, (error) => (error ? reject(error) : resolve())));
    });
  }

  /** Empty also for a folder with more than MAX_DIR_ENTRIES entries. */
  listDir(machinePath: string): Promise<string[]> {
    return this.options.connection.withSftp(
      `listing ${machinePath}`,
      async (sftp) => (await listCapped(sftp, await this.resolve(sftp, machinePath), MAX_DIR_ENTRIES)) ?? [],
    );
  }

  statFs(machinePath: string): Promise<FsSpace | undefined> {
    return this.options.connection.withSftp(`reading the disk space of ${machinePath}`, async (sftp) => {
      const real = await this.resolve(sftp, machinePath);
      return new Promise((resolve) =>
        sftp.ext_openssh_statvfs(real, (error, info: StatVfs | undefined) => {
          if (error || !info) return resolve(undefined);
          const unit = Number(info.f_frsize);
          resolve({ totalBytes: Number(info.f_blocks) * unit, freeBytes: Number(info.f_bfree) * unit, availableBytes: Number(info.f_bavail) * unit });
        }),
      );
    });
  }

  /**
   * The device's sshd process for this connection (no bridge runs there): every program runs as its
   * child, the login shell exec'ing it, so it is the parent of a `cat` reading its own /proc entry.
   */
  async actingProcess(): Promise<ActingProcess> {
    const { stdout, exitCode } = await this.run("cat", ["/proc/self/stat"], { timeoutMs: 10_000 });
    // "PID (COMMAND) STATE PPID ...": the command may hold spaces and parentheses, so fields count from the last ")".
    const pid = Number(stdout.slice(stdout.lastIndexOf(")") + 1).trim().split(" ")[1]);
    if (exitCode !== 0 || !Number.isInteger(pid) || pid < 2) {
      throw new Error(`Cannot tell which SSH session the gateway reaches the device through: /proc/self/stat reads ${JSON.stringify(stdout.slice(0, 200))}.`);
    }
    return { pid, what: "the SSH session the gateway reaches this device through" };
  }

  /** The absolute path of a program in the configured folders on the device. */
  async locate(program: string): Promise<string> {
    assertProgramName(program);
    const found = await this.options.connection.withSftp(`looking for ${program}`, async (sftp) => {
      for (const dir of this.options.programDirs) {
        const candidate = path.posix.join(dir, program);
        const executable = await new Promise<boolean>((resolve) =>
          sftp.stat(candidate, (error, stats) => resolve(!error && stats.isFile() && (stats.mode & 0o111) !== 0)),
        );
        if (executable) return candidate;
      }
      return undefined;
    });
    if (found === undefined) throw notInstalled(program, this.options);
    return found;
  }

  /**
   * Sends `kill` to the remote process group (sshd made the command its leader): resolves once the device has started it,
   * with `ran` settling once it has run; rejects when it could not be sent (no session, no connection, or `programGone`
   * aborted first). Kills may take the session kept for them. `kill -TERM -PGID` is the form every shell's builtin takes:
   * dash refuses `--` and `-s`.
   */
  private async signalGroup(pid: number, signalName: StopSignal, programGone: AbortSignal): Promise<{ ran: Promise<void> }> {
    const channel = await this.options.connection.exec(`kill -${signalName.replace(/^SIG/, "")} -${pid}`, { use: "kill", signal: programGone });
    const ran = new Promise<void>((resolve) => channel.on("close", () => resolve()));
    channel.stderr.resume();
    channel.resume().end();
    return { ran };
  }

  private resolve(sftp: SFTPWrapper, machinePath: string): Promise<string> {
    return resolveUnderRoot(this.options.root, machinePath, (p) =>
      new Promise((resolve, reject) => sftp.realpath(p, (error, real) => (error ? reject(error) : resolve(real)))),
    );
  }
}

/** A file's first bytes, read until its end; undefined when it cannot be read or is longer than `cap` (its size is not trusted: /proc files say 0). */
async function readCapped(sftp: SFTPWrapper, file: string, cap: number): Promise<Buffer | undefined> {
  const handle = await new Promise<Buffer | undefined>((resolve) => sftp.open(file, "r", (error, opened) => resolve(error ? undefined : opened)));
  if (!handle) return undefined;
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    // One byte past the cap tells a file of exactly `cap` bytes from a longer one.
    while (size <= cap) {
      const buffer = Buffer.alloc(Math.min(READ_CHUNK_BYTES, cap + 1 - size));
      const read = await new Promise<number | undefined>((resolve) =>
        sftp.read(handle, buffer, 0, buffer.length, size, (error, bytesRead) => resolve(error ? undefined : bytesRead)),
      );
      if (read === undefined) return undefined;
      if (read === 0) return Buffer.concat(chunks, size);
      chunks.push(buffer.subarray(0, read));
      size += read;
    }
    return undefined;
  } finally {
    sftp.close(handle, () => undefined);
  }
}

/** A folder's entry names; undefined when it cannot be listed or has more than `cap` entries. */
async function listCapped(sftp: SFTPWrapper, dir: string, cap: number): Promise<string[] | undefined> {
  const handle = await new Promise<Buffer | undefined>((resolve) => sftp.opendir(dir, (error, opened) => resolve(error ? undefined : opened)));
  if (!handle) return undefined;
  try {
    const names: string[] = [];
    while (names.length <= cap) {
      // A batch, or false at the end (an EOF status).
      const batch = await new Promise<string[] | false | undefined>((resolve) =>
        sftp.readdir(handle, (error, list) => {
          if (!error) return resolve(list.map((entry) => entry.filename));
          resolve((error as { code?: number }).code === SFTP_STATUS_EOF ? false : undefined);
        }),
      );
      if (batch === undefined) return undefined;
      if (batch === false) return names;
      names.push(...batch);
    }
    return undefined;
  } finally {
    sftp.close(handle, () => undefined);
  }
}
