import type { SimBoardId } from "../device-bridge/sim/index.js";

/** The simulated fleet `npm start` runs: one device per simulated board, newest first. */
export const LOCAL_FLEET: ReadonlyArray<{ id: string; board: SimBoardId }> = [
  { id: "agx-thor-1", board: "agx-thor-jp7" },
  { id: "agx-orin-1", board: "agx-orin-jp6" },
  { id: "orin-nx-1", board: "orin-nx-16gb-super-jp62" },
  { id: "orin-nano-1", board: "orin-nano-super-jp6" },
  { id: "agx-xavier-1", board: "agx-xavier-jp51" },
  { id: "xavier-nx-1", board: "xavier-nx-jp51" },
  { id: "nano-1", board: "nano-jp46" },
];
