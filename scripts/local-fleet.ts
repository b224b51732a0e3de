import path from "node:path";
import type { ProvisionedDevice } from "@jetson/protocol";
import type { ScenarioId, SimBoardId } from "../device-bridge/sim/index.js";
import { LocalBridge, type LocalWorker } from "./local-stack.js";

export const LINK_FLAPS = { upMs: 45_000, downMs: 15_000 };
// The disk-filling board's own root filesystem: small, so it fills in a minute without touching the host's.
const FILLING_DISK_BYTES = 64 * 1024 ** 2;

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

export type LocalFleetEntry = (typeof LOCAL_FLEET)[number];

/** The bridge of one board of the local fleet, with its engine, and (when `scenarios`) its scenario or flapping link; not started. */
export function localFleetBridge(
  worker: LocalWorker,
  device: ProvisionedDevice,
  { id, board, scenario, flaps }: LocalFleetEntry,
  options: { dir: string; scenarios: boolean; scenarioSpeed?: number; echo?: (line: string) => void },
): Promise<LocalBridge> {
  const { scenarios } = options;
  return LocalBridge.create({
    worker,
    device,
    board,
    dir: path.join(options.dir, id),
    echo: options.echo,
    engine: true,
    ...(scenarios && scenario && { scenario: { id: scenario, speed: options.scenarioSpeed ?? 1 } }),
    ...(scenarios && scenario === "disk-filling" && { ownFilesystemBytes: FILLING_DISK_BYTES }),
    ...(scenarios && flaps && { flap: LINK_FLAPS }),
  });
}
