import type { ScenarioId, SimBoardId } from "../device-bridge/sim/index.js";

/**
 * The simulated fleet `npm start` runs: one device per simulated board, newest first, several
 * misbehaving as real ones do (a scenario on the board, or a link that drops).
 */
export const LOCAL_FLEET: ReadonlyArray<{ id: string; board: SimBoardId; scenario?: ScenarioId; flaps?: boolean }> = [
  { id: "agx-thor-1", board: "agx-thor-jp7" },
  { id: "camera-7", board: "agx-orin-jp6", scenario: "throttling" },
  { id: "orin-nx-1", board: "orin-nx-16gb-super-jp62" },
  { id: "orin-nano-1", board: "orin-nano-super-jp6", scenario: "crash-loop" },
  { id: "agx-xavier-1", board: "agx-xavier-jp51" },
  { id: "xavier-nx-1", board: "xavier-nx-jp51", scenario: "disk-filling" },
  { id: "nano-1", board: "nano-jp46", flaps: true },
];
