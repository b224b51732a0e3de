import { advanceSimulatedProc, refreshSimulatedJetson } from "./create.js";
import type { Scenario } from "./scenarios/scenario.js";

export interface ScenarioRun {
  scenario: Scenario;
  /** Scenario seconds per real second: 1 for a demo, more for a test. */
  speed: number;
}

/**
 * How often /proc's counters are rewritten between refreshes. The kernel's move every jiffy; a sampler
 * reads /proc/stat twice 250-500 ms apart and needs them to have moved, so they move several times in between.
 */
export const PROC_TICK_MS = 100;

/**
 * Keeps a simulated Jetson alive on its own: its values (clocks, temperatures, power, /proc
 * counters) only move when a stand-in runs or the machine is refreshed, so a bridge sampling
 * sysfs needs this running beside it. With a scenario, each tick steps it first: a scenario changes
 * only the board's inputs, so the refresh still moves everything else. Returns the function that stops it.
 */
export function startSimulationClock(root: string, intervalMs = 1_000, run?: ScenarioRun): () => void {
  const startedAt = Date.now();
  const timers = [
    setInterval(() => tick(() => {
      run?.scenario.step(root, ((Date.now() - startedAt) / 1_000) * run.speed);
      refreshSimulatedJetson(root);
    }), intervalMs),
  ];
  if (intervalMs > PROC_TICK_MS) timers.push(setInterval(() => tick(() => advanceSimulatedProc(root)), PROC_TICK_MS));
  return () => timers.forEach(clearInterval);
}

function tick(step: () => void): void {
  try {
    step();
  } catch {
    // A refresh racing the removal of a test's root must not take the process down; the next tick tries again.
  }
}
