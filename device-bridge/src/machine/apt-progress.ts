import { type AptStatus, aptProblems, parseAptStatus, parseAptSummary } from "../parsers/apt.js";

/** How much of an apt-get run each phase is: downloading, then dpkg installing or removing. */
const PHASES: Record<AptOperation, Partial<Record<AptStatus["kind"], [from: number, to: number]>>> = {
  update: { dlstatus: [0, 100] },
  install: { dlstatus: [0, 50], pmstatus: [50, 100] },
  remove: { pmstatus: [0, 100] },
};

/** The longest output line kept; the rest of it is cut. */
export const MAX_LINE = 300;
/** apt-get's last output lines kept (far more than the longest tail an action returns), and its last warnings. */
const KEPT_LINES = 1_000;
const KEPT_WARNINGS = 100;

export type AptOperation = "update" | "install" | "remove";

/**
 * Turns the lines apt-get writes to APT::Status-Fd into one percentage for the whole run, and keeps
 * what else it prints as its output: the last lines and warnings only, as a run may print without end.
 */
export class AptProgress {
  private readonly output = new LastLines(KEPT_LINES);
  private readonly problems = new LastLines(KEPT_WARNINGS);
  /** "N upgraded, M newly installed, ..." comes early: kept apart, as a long run pushes it out of the last lines. */
  private summary: string | undefined;

  constructor(private readonly operation: AptOperation) {}

  /** The run's overall percent and apt's message for a status line; undefined for ordinary output. */
  line(text: string): { percent: number; message: string } | undefined {
    const status = parseAptStatus(text);
    if (!status) {
      this.output.add(text.slice(0, MAX_LINE));
      for (const problem of aptProblems(text)) this.problems.add(problem);
      if (this.summary === undefined && parseAptSummary(text)) this.summary = text;
      return undefined;
    }
    const phase = PHASES[this.operation][status.kind];
    if (!phase) return undefined;
    const [from, to] = phase;
    return { percent: from + ((to - from) * status.percent) / 100, message: status.message };
  }

  /** apt-get's own output lines (status lines left out), after a line that says how many earlier ones were not kept. */
  get lines(): string[] {
    const { kept, dropped } = this.output;
    if (dropped === 0) return kept;
    const summary = this.summary !== undefined && !kept.includes(this.summary) ? [this.summary] : [];
    return [...summary, `[${dropped} earlier lines of apt-get output not kept]`, ...kept];
  }

  /** apt's W:, E: and Err: lines in its output, after a line that says how many earlier ones were not kept. */
  get warnings(): string[] {
    const { kept, dropped } = this.problems;
    return dropped === 0 ? kept : [`[${dropped} earlier warnings not kept]`, ...kept];
  }
}

/** The last `size` lines of a stream, and how many came before them. */
class LastLines {
  private readonly buffer: string[] = [];
  private seen = 0;

  constructor(private readonly size: number) {}

  add(line: string): void {
    this.seen++;
    this.buffer.push(line);
    // Trimmed in batches: at most twice the size is held, each line moved once on average.
    if (this.buffer.length >= 2 * this.size) this.buffer.splice(0, this.buffer.length - this.size);
  }

  get kept(): string[] {
    return this.buffer.slice(-this.size);
  }

  get dropped(): number {
    return this.seen - Math.min(this.seen, this.size);
  }
}
