/**
 * A scenario: data and a step function over a simulated board's state. The simulation clock calls
 * `step` on every tick with the scenario's own time; the step changes only the board's inputs (load,
 * heat, files on disk, the fan's control), and the machine derives the rest (clocks, temperatures),
 * which the bridge then reads through its host port like any other board's.
 */
export interface Scenario {
  /** One line for the local stack's banner. */
  describe: string;
  /** Brings the board to where the scenario is `elapsedS` seconds after it started (scaled time). */
  step(root: string, elapsedS: number): void;
}
