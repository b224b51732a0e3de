import type { Logger } from "./log.js";

/** `kill -USR2` asks a process for its memory, in the journal (and what bench/bridge-footprint.ts reads). */
export function reportMemoryOnSignal(log: Logger): void {
  process.on("SIGUSR2", () => log.info(`memory ${JSON.stringify(process.memoryUsage())}`));
}
