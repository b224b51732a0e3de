/**
 * The only way the bridge touches the machine: run a program by name with an
 * argument list (never a shell string), and read or write files by their
 * absolute path on the machine. Implementations map that path under a root,
 * so a simulated Jetson (a folder) and a real one (`/`) look the same.
 */
export interface HostPort {
  run(program: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Reads a file; undefined when it does not exist or cannot be read. */
  readFile(path: string): Promise<string | undefined>;
  writeFile(path: string, data: string): Promise<void>;
  /** Entry names of a folder; empty when it does not exist. */
  listDir(path: string): Promise<string[]>;
  statFs(path: string): Promise<FsSpace | undefined>;
  /**
   * The process this port acts on the machine through: ending it, one of its parents or a program it
   * runs would cut the device off (processes.kill refuses them).
   */
  actingProcess(): Promise<ActingProcess>;
}

export interface ActingProcess {
  pid: number;
  /** Its parent, where known without reading the process table. */
  parentPid?: number;
  /** What it is, as a refusal names it. */
  what: string;
}

export interface RunOptions {
  timeoutMs?: number;
  maxOutputBytes?: number;
  /** Written to the program's standard input, which is then closed (so it never waits on a prompt). */
  stdin?: string;
  /** Stops the program (and what it started) early; the result then has `aborted`. */
  signal?: AbortSignal;
  /** Each line of standard output as it arrives, for programs that stream (tegrastats); `cut`: longer than MAX_LINE_BYTES, and this is its head. */
  onStdoutLine?: (line: string, cut: boolean) => void;
  /**
   * Run as the bridge's own user even when the program is listed for sudo: a query that needs
   * no root (systemctl show), so the sudoers file names only the commands that change things.
   */
  unprivileged?: boolean;
}

export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Output was cut at maxOutputBytes. */
  truncated: boolean;
  timedOut: boolean;
  aborted: boolean;
}

export interface FsSpace {
  totalBytes: number;
  freeBytes: number;
  availableBytes: number;
}

/** A refusal by the port itself (bad program name, path outside the root, missing program). */
export class HostPortError extends Error {
  constructor(
    readonly reason: "bad_program" | "bad_path" | "not_found",
    message: string,
  ) {
    super(message);
  }
}
