import { spawn } from "node:child_process";
import { readFileSync, realpathSync } from "node:fs";
import { access, constants, readdir, readFile, statfs, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ActingProcess, FsSpace, HostPort, RunOptions, RunResult } from "./port.js";
import { assertProgramName, commandLine, type HostOptions, notInstalled } from "./host-options.js";
import { DEFAULT_STOP_GRACE_MS, GracefulStop, type StopSignal } from "./graceful-stop.js";
import { CappedText, GuardedLines, runResult } from "./output.js";
import { resolveUnderRoot } from "./root-path.js";

export type NodeHostOptions = HostOptions;

/**
 * sysfs and procfs files are made by the kernel from memory as they are read: read in place they
 * cost microseconds, where the thread pool costs a round trip for each of realpath, open, stat,
 * read and close (73 files a sample on an AGX Orin, so most of the bridge's CPU time at 1 Hz).
 */
const KERNEL_FILESYSTEMS = ["/sys/", "/proc/"];
const realpathInPlace = async (p: string) => realpathSync.native(p);

/** The host port on the machine the bridge runs on. */
export class NodeHost implements HostPort {
  constructor(private readonly options: NodeHostOptions) {}

  async run(program: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const { argv: [executable = "", ...argv], stdin } = commandLine(this.options, program, await this.locate(program), args, options);
    const timeoutMs = options.timeoutMs ?? this.options.defaultTimeoutMs;
    const maxBytes = options.maxOutputBytes ?? this.options.defaultMaxOutputBytes;
    return new Promise((resolve, reject) => {
      const child = spawn(executable, argv, {
        shell: false,
        // Its own process group, so stopping it stops the children it started too.
        detached: true,
        stdio: ["pipe", "pipe", "pipe"],
        // Programs see the configured folders first; the rest of PATH lets interpreters (`env node`) resolve.
        // Nothing the bridge runs may stop at a debconf question (apt-get installing a package).
        env: { PATH: [...this.options.programDirs, process.env.PATH ?? ""].join(":"), LANG: "C", LC_ALL: "C", DEBIAN_FRONTEND: "noninteractive" },
      });
      const out = new CappedText(maxBytes);
      const err = new CappedText(maxBytes);
      let timedOut = false;
      const stopper = new GracefulStop((signal) => {
        signalGroup(child.pid, signal);
        // What the group kill cannot reach (a root program under sudo) must not hold the run open through its output.
        if (signal === "SIGKILL") {
          child.stdout.destroy();
          child.stderr.destroy();
        }
      }, this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
      const timer = setTimeout(() => {
        timedOut = true;
        stopper.begin();
      }, timeoutMs);
      const abort = () => stopper.begin();
      options.signal?.addEventListener("abort", abort, { once: true });
      if (options.signal?.aborted) abort();
      const lines = options.onStdoutLine ? new GuardedLines(options.onStdoutLine, abort) : undefined;
      child.stdout.on("data", (chunk: Buffer) => {
        out.add(chunk);
        lines?.add(chunk);
      });
      child.stderr.on("data", (chunk: Buffer) => err.add(chunk));
      child.stdin.on("error", () => undefined);
      child.stdin.end(stdin ?? "");
      const settle = () => {
        clearTimeout(timer);
        stopper.ended();
        options.signal?.removeEventListener("abort", abort);
      };
      child.on("error", (error) => {
        settle();
        reject(error);
      });
      child.on("close", (exitCode, signal) => {
        settle();
        lines?.flush();
        if (lines?.error !== undefined) return reject(lines.error);
        resolve(runResult({ exitCode, signal, timedOut, aborted: options.signal?.aborted ?? false }, out, err));
      });
    });
  }

  async readFile(machinePath: string): Promise<string | undefined> {
    if (KERNEL_FILESYSTEMS.some((prefix) => machinePath.startsWith(prefix))) {
      const real = await resolveUnderRoot(this.options.root, machinePath, realpathInPlace);
      try {
        return readFileSync(real, "utf8");
      } catch {
        return undefined;
      }
    }
    const real = await resolveUnderRoot(this.options.root, machinePath);
    return readFile(real, "utf8").catch(() => undefined);
  }

  async writeFile(machinePath: string, data: string): Promise<void> {
    await writeFile(await resolveUnderRoot(this.options.root, machinePath), data);
  }

  async listDir(machinePath: string): Promise<string[]> {
    const real = await resolveUnderRoot(this.options.root, machinePath);
    return readdir(real).catch(() => []);
  }

  async statFs(machinePath: string): Promise<FsSpace | undefined> {
    const real = await resolveUnderRoot(this.options.root, machinePath);
    const s = await statfs(real).catch(() => undefined);
    if (!s) return undefined;
    return { totalBytes: s.blocks * s.bsize, freeBytes: s.bfree * s.bsize, availableBytes: s.bavail * s.bsize };
  }

  /** The bridge itself, and what started it (systemd, or the launcher). */
  async actingProcess(): Promise<ActingProcess> {
    return { pid: process.pid, parentPid: process.ppid, what: "the bridge itself" };
  }

  /** The absolute path of a program in the configured folders. */
  async locate(program: string): Promise<string> {
    assertProgramName(program);
    for (const dir of this.options.programDirs) {
      const candidate = path.join(dir, program);
      if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
    }
    throw notInstalled(program, this.options);
  }
}

/** The program's whole process group: what it started goes too, and sudo relays SIGTERM to its root child. */
function signalGroup(pid: number | undefined, signal: StopSignal): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
