import { type ChildProcess, spawn, type SpawnOptions } from "node:child_process";
import { createInterface } from "node:readline";
import { OutputLines, PrintsLines } from "./output-lines.js";

/** A child process whose output lines can be awaited, stopped with its whole process group. */
export class ManagedProcess extends PrintsLines {
  protected readonly lines: OutputLines;
  readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    echo: ((line: string) => void) | undefined,
  ) {
    super();
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    this.lines = new OutputLines(name, this.exited.then((code) => `exited (${code})`));
    const onLine = (line: string) => {
      this.lines.add(line);
      echo?.(line);
    };
    if (child.stdout) createInterface({ input: child.stdout }).on("line", onLine);
    if (child.stderr) createInterface({ input: child.stderr }).on("line", onLine);
  }

  static start(
    name: string,
    command: string,
    args: string[],
    options: SpawnOptions & { echo?: (line: string) => void } = {},
  ): ManagedProcess {
    const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    return new ManagedProcess(name, child, options.echo);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends a signal to the whole process group (SIGSTOP freezes it, for tests). */
  signal(signal: NodeJS.Signals): boolean {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return false;
    try {
      process.kill(-(this.child.pid ?? 0), signal);
      return true;
    } catch {
      return false;
    }
  }

  /** Signals the whole process group and waits for the exit. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (this.signal(signal)) await this.exited;
  }
}
