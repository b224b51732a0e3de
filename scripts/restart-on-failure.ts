import { readFileSync } from "node:fs";
import type { SpawnOptions } from "node:child_process";
import { OutputLines, PrintsLines } from "./output-lines.js";
import { ManagedProcess } from "./processes.js";

/** The device's unit, whose restarts this mirrors. */
const UNIT_FILE = new URL("../infra/device/jetson-bridge.service", import.meta.url);
/** Deaths that systemd's Restart=on-failure counts as clean, like exit code 0 (systemd.service(5)). */
const CLEAN_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(["SIGHUP", "SIGINT", "SIGTERM", "SIGPIPE"]);

/** The unit's `RestartSec=` (seconds), read from the unit so the two cannot drift apart. */
function unitRestartDelayMs(): number {
  const seconds = /^RestartSec=(\d+(?:\.\d+)?)$/m.exec(readFileSync(UNIT_FILE, "utf8"))?.[1];
  if (seconds === undefined) throw new Error(`${UNIT_FILE.pathname} has no RestartSec= line in seconds`);
  return Number(seconds) * 1_000;
}

/**
 * systemd's part for a bridge the local stack runs as a device does: the lines `Restart=on-failure`
 * and `RestartSec=` of infra/device/jetson-bridge.service. The process is started again, after
 * RestartSec, when it exits non-zero (75 after bridge.update among them) or dies of a signal other
 * than a clean one, unless a stop was asked for. Its output is one log across restarts, as the unit's journal is.
 */
export class RestartOnFailure extends PrintsLines {
  private current: ManagedProcess;
  private stopping = false;
  private cancelRestart: (() => void) | undefined;
  protected readonly lines: OutputLines;
  /** Settles with the last exit code once the process ended and is not started again. */
  readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly start: (echo: (line: string) => void) => ManagedProcess,
    private readonly echo: ((line: string) => void) | undefined,
  ) {
    super();
    let ended: (how: string) => void = () => undefined;
    this.lines = new OutputLines(name, new Promise((resolve) => (ended = resolve)));
    this.current = start((line) => this.log(line));
    this.exited = this.supervise(unitRestartDelayMs());
    void this.exited.then((code) => ended(`ended (${code}) without a restart`));
  }

  static start(name: string, command: string, args: string[], options: SpawnOptions & { echo?: (line: string) => void } = {}): RestartOnFailure {
    return new RestartOnFailure(name, (echo) => ManagedProcess.start(name, command, args, { ...options, echo }), options.echo);
  }

  private log(line: string): void {
    this.lines.add(line);
    this.echo?.(line);
  }

  private async supervise(restartDelayMs: number): Promise<number | null> {
    for (;;) {
      const code = await this.current.exited;
      const signal = this.current.child.signalCode;
      const failed = code !== null ? code !== 0 : signal !== null && !CLEAN_SIGNALS.has(signal);
      if (this.stopping || !failed) return code;
      this.log(`${this.name}: ${code !== null ? `exited with code ${code}` : `killed by ${signal}`}; restarting in ${restartDelayMs} ms (Restart=on-failure)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, restartDelayMs);
        this.cancelRestart = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.cancelRestart = undefined;
      if (this.stopping) return code;
      this.current = this.start((line) => this.log(line));
    }
  }

  /** The process running now. */
  get pid(): number | undefined {
    return this.current.pid;
  }

  signal(signal: NodeJS.Signals): boolean {
    return this.current.signal(signal);
  }

  /** As `systemctl stop`: signals the process, which is not started again, and waits for the end. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    this.stopping = true;
    this.cancelRestart?.();
    this.current.signal(signal);
    await this.exited;
  }
}
