import { type AptStatus, parseAptStatus } from "../parsers/apt.js";

/** How much of an apt-get run each phase is: downloading, then dpkg installing or removing. */
const PHASES: Record<AptOperation, Partial<Record<AptStatus["kind"], [from: number, to: number]>>> = {
  update: { dlstatus: [0, 100] },
  install: { dlstatus: [0, 50], pmstatus: [50, 100] },
  remove: { pmstatus: [0, 100] },
};

export type AptOperation = "update" | "install" | "remove";

/**
 * Turns the lines apt-get writes to APT::Status-Fd into one percentage for the whole run,
 * and keeps everything else it prints as its output.
 */
export class AptProgress {
  private readonly output: string[] = [];

  constructor(private readonly operation: AptOperation) {}

  /** The run's overall percent and apt's message for a status line; undefined for ordinary output. */
  line(text: string): { percent: number; message: string } | undefined {
    const status = parseAptStatus(text);
    if (!status) {
      this.output.push(text);
      return undefined;
    }
    const phase = PHASES[this.operation][status.kind];
    if (!phase) return undefined;
    const [from, to] = phase;
    return { percent: from + ((to - from) * status.percent) / 100, message: status.message };
  }

  /** apt-get's own output lines (status lines left out). */
  get lines(): readonly string[] {
    return this.output;
  }
}
