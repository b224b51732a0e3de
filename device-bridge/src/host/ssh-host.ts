import path from "node:path";
import type { SFTPWrapper } from "ssh2";
import { assertProgramName, commandLine, type HostOptions, notInstalled } from "./host-options.js";
import { DEFAULT_STOP_GRACE_MS, GracefulStop, type StopSignal } from "./graceful-stop.js";
import { CappedText, GuardedLines, runResult } from "./output.js";
import { type FsSpace, type HostPort, HostPortError, type RunOptions, type RunResult } from "./port.js";
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

/** Takes the remote pid off the front of a command's output. */
class PidPrefix {
  value: number | undefined;
  private pending: Buffer | undefined = Buffer.alloc(0);

  strip(chunk: Buffer): Buffer {
    if (!this.pending) return chunk;
    const joined = Buffer.concat([this.pending, chunk]);
    const newline = joined.indexOf(0x0a);
    if (newline < 0) {
      this.pending = joined;
      return Buffer.alloc(0);
    }
    this.value = Number(joined.subarray(0, newline).toString());
    this.pending = undefined;
    return joined.subarray(newline + 1);
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
    const { argv, stdin } = commandLine(this.options, program, await this.locate(program), args, options);
    // sshd starts each command as a process group leader; printing its pid first lets a timeout signal the group.
    const command = `echo $$; LC_ALL=C DEBIAN_FRONTEND=noninteractive exec ${argv.map(shellQuote).join(" ")}`;
    const channel = await this.options.connection.exec(command);
    const maxBytes = options.maxOutputBytes ?? this.options.defaultMaxOutputBytes;
    const out = new CappedText(maxBytes);
    const err = new CappedText(maxBytes);
    return new Promise((resolve, reject) => {
      let timedOut = false;
      let settled = false;
      let exitCode: number | null = null;
      let signal: string | null = null;
      const pid = new PidPrefix();
      /** A signal asked for before the remote pid arrived, sent as soon as it does. */
      let pending: StopSignal | undefined;
      const signalRemote = async (signalName: StopSignal) => {
        if (pid.value === undefined) pending = signalName;
        else await this.signalGroup(pid.value, signalName);
      };
      const stopper = new GracefulStop((signalName) => {
        const sent = signalRemote(signalName);
        // Past the grace, answer once the kill has run, even if something beyond its reach (a root program under sudo) holds the output open.
        if (signalName === "SIGKILL") {
          void sent.finally(() => {
            channel.close();
            finish();
          });
        }
      }, this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
      const finish = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        stopper.ended();
        options.signal?.removeEventListener("abort", stop);
        lines?.flush();
        if (lines?.error !== undefined) return reject(lines.error);
        resolve(runResult({ exitCode, signal, timedOut, aborted: options.signal?.aborted ?? false }, out, err));
      };
      const stop = () => stopper.begin();
      const timer = setTimeout(() => {
        timedOut = true;
        stop();
      }, options.timeoutMs ?? this.options.defaultTimeoutMs);
      options.signal?.addEventListener("abort", stop, { once: true });
      if (options.signal?.aborted) stop();
      const lines = options.onStdoutLine ? new GuardedLines(options.onStdoutLine, stop) : undefined;
      channel.on("data", (data: Buffer) => {
        const chunk = pid.strip(data);
        if (pending && pid.value !== undefined) {
          void this.signalGroup(pid.value, pending);
          pending = undefined;
        }
        if (!chunk.length) return;
        out.add(chunk);
        lines?.add(chunk);
      });
      channel.stderr.on("data", (chunk: Buffer) => err.add(chunk));
      channel.on("exit", (code: number | null, signalName?: string) => {
        exitCode = code;
        signal = signalName ?? null;
      });
      channel.on("close", finish);
      channel.end(stdin ?? "");
    });
  }

  async readFile(machinePath: string): Promise<string | undefined> {
    const sftp = await this.options.connection.sftp();
    const real = await this.resolve(sftp, machinePath);
    return new Promise((resolve) => sftp.readFile(real, (error, data) => resolve(error ? undefined : data.toString("utf8"))));
  }

  async writeFile(machinePath: string, data: string): Promise<void> {
    const sftp = await this.options.connection.sftp();
    const real = await this.resolve(sftp, machinePath);
    await new Promise<void>((resolve, reject) => sftp.writeFile(real, data, (error) => (error ? reject(error) : resolve())));
  }

  async listDir(machinePath: string): Promise<string[]> {
    const sftp = await this.options.connection.sftp();
    const real = await this.resolve(sftp, machinePath);
    return new Promise((resolve) => sftp.readdir(real, (error, list) => resolve(error ? [] : list.map((entry) => entry.filename))));
  }

  async statFs(machinePath: string): Promise<FsSpace | undefined> {
    const sftp = await this.options.connection.sftp();
    const real = await this.resolve(sftp, machinePath);
    return new Promise((resolve) =>
      sftp.ext_openssh_statvfs(real, (error, info: StatVfs | undefined) => {
        if (error || !info) return resolve(undefined);
        const unit = Number(info.f_frsize);
        resolve({ totalBytes: Number(info.f_blocks) * unit, freeBytes: Number(info.f_bfree) * unit, availableBytes: Number(info.f_bavail) * unit });
      }),
    );
  }

  /** The absolute path of a program in the configured folders on the device. */
  async locate(program: string): Promise<string> {
    assertProgramName(program);
    const sftp = await this.options.connection.sftp();
    for (const dir of this.options.programDirs) {
      const candidate = path.posix.join(dir, program);
      const executable = await new Promise<boolean>((resolve) =>
        sftp.stat(candidate, (error, stats) => resolve(!error && stats.isFile() && (stats.mode & 0o111) !== 0)),
      );
      if (executable) return candidate;
    }
    throw notInstalled(program, this.options);
  }

  /**
   * Signals the remote process group (sshd made the command its leader); resolves once `kill` has run.
   * `kill -TERM -PGID` is the form every shell's builtin takes: dash refuses `--` and `-s`.
   */
  private async signalGroup(pid: number, signalName: StopSignal): Promise<void> {
    const channel = await this.options.connection.exec(`kill -${signalName.replace(/^SIG/, "")} -${pid}`).catch(() => undefined);
    if (!channel) return;
    await new Promise<void>((resolve) => {
      channel.on("close", () => resolve());
      channel.stderr.resume();
      channel.resume().end();
    });
  }

  private resolve(sftp: SFTPWrapper, machinePath: string): Promise<string> {
    return resolveUnderRoot(this.options.root, machinePath, (p) =>
      new Promise((resolve, reject) => sftp.realpath(p, (error, real) => (error ? reject(error) : resolve(real)))),
    );
  }
}
