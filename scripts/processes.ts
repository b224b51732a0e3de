import { type ChildProcess, spawn, type SpawnOptions } from "node:child_process";
import { createInterface } from "node:readline";

/** A child process whose output lines can be awaited, stopped with its whole process group. */
export class ManagedProcess {
  private readonly lines: string[] = [];
  private readonly listeners = new Set<(line: string) => void>();
  readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    echo: ((line: string) => void) | undefined,
  ) {
    const onLine = (line: string) => {
      this.lines.push(line);
      if (this.lines.length > 2000) this.lines.shift();
      echo?.(line);
      for (const listener of this.listeners) listener(line);
    };
    if (child.stdout) createInterface({ input: child.stdout }).on("line", onLine);
    if (child.stderr) createInterface({ input: child.stderr }).on("line", onLine);
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
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

  /** Resolves with the first line (already printed or still to come) that matches. */
  waitForLine(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    const seen = this.lines.map((line) => line.match(pattern)).find(Boolean);
    return seen ? Promise.resolve(seen) : this.nextLine(pattern, timeoutMs);
  }

  /** Resolves with the next line to be printed that matches. */
  nextLine(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const finish = (outcome: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        outcome();
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`${this.name}: no line matching ${pattern} within ${timeoutMs} ms.${this.tail()}`))),
        timeoutMs,
      );
      const listener = (line: string) => {
        const match = line.match(pattern);
        if (match) finish(() => resolve(match));
      };
      this.listeners.add(listener);
      void this.exited.then((code) => {
        if (this.listeners.has(listener)) {
          finish(() => reject(new Error(`${this.name} exited (${code}) before printing ${pattern}.${this.tail()}`)));
        }
      });
    });
  }

  private tail(): string {
    return ` Last lines:\n${this.lines.slice(-20).join("\n")}`;
  }

  get output(): string {
    return this.lines.join("\n");
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
