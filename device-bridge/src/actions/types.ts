import type { ActionInput, ActionName, ActionOutput, ErrorCode } from "@jetson/protocol";
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
  progress(done: number, total?: number, message?: string): void;
  /** Sends the device's state again, for an action that changed what it reports (the power mode); never throws. */
  reportState(): Promise<void>;
}

export type Handler<N extends ActionName> = (input: ActionInput<N>, context: ActionContext) => Promise<ActionOutput<N>>;

/** One handler per catalogued action; the compiler rejects a missing one. */
export type HandlerTable = { [N in ActionName]: Handler<N> };

/** A failure the handler wants the caller to read, with a code from the protocol. */
export class ActionError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
