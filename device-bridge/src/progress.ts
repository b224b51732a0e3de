/** Reports how far a long operation got (the dispatcher turns it into progress messages). */
export type ProgressReporter = (done: number, total?: number, message?: string) => void;

/**
 * Progress for chatty sources (a pull, a download): MCP wants each notification's value to
 * grow, and the link need not carry one message per network chunk. Passes a report on when
 * its value grew and `minIntervalMs` passed since the last one, or when it is the last.
 */
export function monotonicProgress(progress: ProgressReporter, minIntervalMs = 250) {
  let lastDone = -1;
  let lastAt = 0;
  return (done: number, total: number | undefined, message: string, final = false): void => {
    const now = Date.now();
    if (done <= lastDone || (!final && now - lastAt < minIntervalMs)) return;
    lastDone = done;
    lastAt = now;
    progress(done, total !== undefined && total > 0 ? total : undefined, message.slice(0, 500));
  };
}
