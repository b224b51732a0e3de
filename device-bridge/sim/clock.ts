import { refreshSimulatedJetson } from "./create.js";

/**
 * Keeps a simulated Jetson alive on its own: its values (clocks, temperatures, power, /proc
 * counters) only move when a stand-in runs or the machine is refreshed, so a bridge sampling
 * sysfs needs this running beside it. Returns the function that stops it.
 */
export function startSimulationClock(root: string, intervalMs = 1_000): () => void {
  const timer = setInterval(() => {
    try {
      refreshSimulatedJetson(root);
    } catch {
      // A refresh racing the removal of a test's root must not take the process down; the next tick tries again.
    }
  }, intervalMs);
  return () => clearInterval(timer);
}
