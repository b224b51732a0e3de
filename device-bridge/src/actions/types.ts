import type { ActionInput, ActionName, ActionOutput } from "@jetson/protocol";
import type { ProgressReporter } from "../progress.js";
import type { HostPort } from "../host/port.js";
import type { Workloads } from "../workloads.js";

/** What a handler gets besides its validated input. */
export interface ActionContext {
  host: HostPort;
  /** The bridge's own folder for state it keeps (a real path, not under the machine root). */
  stateDir: string;
  bridgeVersion: string;
  /** The Docker Engine, volume roots and model store that container and AI actions use. */
  workloads: Workloads;
  signal: AbortSignal;
  progress: ProgressReporter;
  /** Sends the device's state again, for an action that changed what it reports (the power mode); never throws. */
  reportState(): Promise<void>;
}

export type Handler<N extends ActionName> = (input: ActionInput<N>, context: ActionContext) => Promise<ActionOutput<N>>;

/** One handler per catalogued action; the compiler rejects a missing one. */
export type HandlerTable = { [N in ActionName]: Handler<N> };
