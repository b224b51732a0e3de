// For tests: handlers run against a simulated Jetson through the real NodeHost, as on a device.
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ActionName, type ActionOutput, type CatalogueEntry, type DeviceState, findAction } from "@jetson/protocol";
import type { z } from "zod";
import { createSimulatedJetson, type SimBoardId, type SimulatedJetson } from "../../sim/index.js";
import { readDeviceState } from "../device-state.js";
import { NodeHost } from "../host/node-host.js";
import { SAVED_CLOCKS_DIR } from "../machine/jetson-clocks-commands.js";
import type { HostPort } from "../host/port.js";
import type { AdminConfig } from "../config.js";
import { createWorkloads } from "../workloads.js";
import { handlers } from "./index.js";
import type { ActionContext } from "./types.js";

/** Arguments as a caller sends them: fields with defaults may be left out. */
type CallerInput<N extends ActionName> = z.input<Extract<CatalogueEntry, { name: N }>["input"]>;

export interface Call {
  program: string;
  argv: string[];
}

export interface SimulatedBoard {
  sim: SimulatedJetson;
  host: HostPort;
  stateDir: string;
  /** Every progress report handlers made, in order. */
  progress: Array<{ done: number; total?: number; message?: string }>;
  /** The device's state as read each time a handler asked to send it again. */
  reportedStates: DeviceState[];
  /** Aborts the signal handlers get, as a cancel from the cloud does. */
  cancel(): void;
  /** Runs a handler as the dispatcher does: input parsed (defaults filled), output checked by the catalogue's schemas. */
  run<N extends ActionName>(action: N, input: CallerInput<N>): Promise<ActionOutput<N>>;
  /** Every stand-in program run so far, from the simulation's call log. */
  calls(): Promise<Call[]>;
  remove(): Promise<void>;
}

export async function simulatedBoard(
  board: SimBoardId,
  wrapHost: (host: HostPort, sim: SimulatedJetson) => HostPort = (h) => h,
  admin: Partial<AdminConfig> = {},
): Promise<SimulatedBoard> {
  const dir = await mkdtemp(path.join(tmpdir(), `board-${board}-`));
  const sim = await createSimulatedJetson({ dir: path.join(dir, "root"), board, hostname: `${board}-test` });
  // Made by provisioning on a device: where jetson_clocks keeps the settings clocks.lock saves.
  await mkdir(path.join(sim.root, SAVED_CLOCKS_DIR), { recursive: true });
  const host = wrapHost(
    new NodeHost({ root: sim.root, programDirs: [sim.binDir], defaultTimeoutMs: 30_000, defaultMaxOutputBytes: 1 << 20 }),
    sim,
  );
  const stateDir = path.join(dir, "state");
  // No Docker Engine at this socket; models go under the state folder.
  const workloads = createWorkloads({ docker: { socket: path.join(dir, "docker.sock"), volumeRoots: [] }, models: { dir: path.join(stateDir, "models"), minFreeBytes: 0 }, ...admin });
  const progress: SimulatedBoard["progress"] = [];
  const reportedStates: DeviceState[] = [];
  const cancelled = new AbortController();
  const context: ActionContext = {
    host,
    stateDir,
    bridgeVersion: "test",
    workloads,
    signal: cancelled.signal,
    progress: (done, total, message) => progress.push({ done, total, message }),
    reportState: async () => {
      reportedStates.push(await readDeviceState(host, new Set()));
    },
  };
  return {
    sim,
    host,
    stateDir,
    progress,
    reportedStates,
    cancel: () => cancelled.abort(),
    run: async (action, input) => {
      const definition = findAction(action);
      if (!definition) throw new Error(`no catalogue entry ${action}`);
      const handler = handlers[action] as (input: unknown, context: ActionContext) => Promise<unknown>;
      return definition.output.parse(await handler(definition.input.parse(input), context)) as ActionOutput<typeof action>;
    },
    calls: async () =>
      (await readFile(path.join(sim.root, "var/log/sim-calls.log"), "utf8"))
        .split("\n")
        .filter(Boolean)
        .map((line) => {
          const { program, argv } = JSON.parse(line) as Call;
          return { program, argv };
        }),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
