/** A process's output lines (the last 2,000 kept), awaited as they come, until it ends. */
export class OutputLines {
  private readonly lines: string[] = [];
  private readonly listeners = new Set<(line: string) => void>();

  /** `ended` resolves, once no line will come any more, with how it ended ("exited (1)"). */
  constructor(
    private readonly name: string,
    private readonly ended: Promise<string>,
  ) {}

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > 2000) this.lines.shift();
    for (const listener of this.listeners) listener(line);
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
      void this.ended.then((how) => {
        if (this.listeners.has(listener)) {
          finish(() => reject(new Error(`${this.name} ${how} before printing ${pattern}.${this.tail()}`)));
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
}

/** What prints lines that a caller waits for: a process, or one that is started again and again. */
export abstract class PrintsLines {
  protected abstract readonly lines: OutputLines;

  /** Resolves with the first line (already printed or still to come) that matches. */
  waitForLine(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    return this.lines.waitForLine(pattern, timeoutMs);
  }

  /** Resolves with the next line to be printed that matches. */
  nextLine(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    return this.lines.nextLine(pattern, timeoutMs);
  }

  get output(): string {
    return this.lines.output;
  }
}
