/**
 * A scenario: data and a step function over a simulated board's state. The simulation clock calls
 * `step` on every tick with the scenario's own time; the step changes only the board's inputs (load,
 * heat, files on disk, the fan's control), and the machine derives the rest (clocks, temperatures),
 * which the bridge then reads through its host port like any other board's.
 */
export interface Scenario {
  /** One line for the local stack's banner. */
  describe: string;
  /** Why it cannot run on this board's root, if it cannot (the caller says so and runs the board without it). */
  unavailable?(root: string): string | undefined;
  /** Brings the board to where the scenario is `elapsedS` seconds after it started (scaled time). */
  step(root: string, elapsedS: number): void;
}
