import { Worker } from "node:worker_threads";
import type { Logger } from "../log.js";

/** How often the watcher looks whether the trial passed (pending.json gone) or its time is up. */
const POLL_MS = 200;

export interface TrialWatch {
  /** pending.json: the release removes it once it passed its health check. */
  pendingFile: string;
  /** When the trial's time is up (ms since the epoch), counted from its first start. */
  deadline: number;
}

/**
 * The watcher's whole program, run from its source text (so keep it free of any name from outside
 * its parameters): the Worker loads nothing of the bundle, only node:fs. Once pending.json is gone
 * its interval stops and the Worker ends; at the deadline it kills the whole process, whatever its
 * main thread is doing.
 */
function watch({ pendingFile, deadline }: TrialWatch, pollMs: number, exists: (file: string) => boolean, killProcess: () => void): void {
  const poll = setInterval(() => {
    if (!exists(pendingFile)) clearInterval(poll);
    else if (Date.now() >= deadline) killProcess();
  }, pollMs);
}

const PROGRAM = `(${watch.toString()})(require("node:worker_threads").workerData, ${POLL_MS}, require("node:fs").existsSync, () => process.kill(process.pid, "SIGKILL"))`;

/**
 * Holds a trial's deadline even against a release that blocks its event loop: a Worker thread that
 * SIGKILLs this process at the deadline unless the trial passed first. systemd then starts the unit
 * again, and that start rolls the release back (the deadline has passed). Lives only during a trial.
 */
export function watchTrial(trial: TrialWatch, log: Logger): void {
  const worker = new Worker(PROGRAM, {
    eval: true,
    workerData: trial,
    // Neither this process's options nor its environment. No resourceLimits: they save about 1 MB,
    // and a heap limit the Worker's own start-up outgrows would end it, and the deadline with it.
    execArgv: [],
    env: {},
  });
  worker.unref();
  worker.once("exit", () => log.info("trial watcher ended"));
  worker.once("error", (error) => log.error(`trial watcher failed (${error.message}): only the next start holds this trial's deadline`));
}
