import type { Logger } from "./log.js";

/**
 * `kill -USR2` asks a process for its memory, in the journal (and what bench/bridge-footprint.ts reads).
 * Answers the function that stops answering (the launcher hands over to the release's own answer).
 */
export function reportMemoryOnSignal(log: Logger): () => void {
  const report = () => log.info(`memory ${JSON.stringify(process.memoryUsage())}`);
  process.on("SIGUSR2", report);
  return () => process.off("SIGUSR2", report);
}
