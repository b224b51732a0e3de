import { refreshSimulatedJetson } from "./create.js";
import type { Scenario } from "./scenarios/scenario.js";

export interface ScenarioRun {
  scenario: Scenario;
  /** Scenario seconds per real second: 1 for a demo, more for a test. */
  speed: number;
}

/**
 * Keeps a simulated Jetson alive on its own: its values (clocks, temperatures, power, /proc
 * counters) only move when a stand-in runs or the machine is refreshed, so a bridge sampling
 * sysfs needs this running beside it. With a scenario, each tick steps it first: a scenario changes
 * only the board's inputs, so the refresh still moves everything else. Returns the function that stops it.
 */
export function startSimulationClock(root: string, intervalMs = 1_000, run?: ScenarioRun): () => void {
  const startedAt = Date.now();
  const timer = setInterval(() => {
    try {
      run?.scenario.step(root, ((Date.now() - startedAt) / 1_000) * run.speed);
      refreshSimulatedJetson(root);
    } catch {
      // A refresh racing the removal of a test's root must not take the process down; the next tick tries again.
    }
  }, intervalMs);
  return () => clearInterval(timer);
}
