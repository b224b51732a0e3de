import type { ActionErrorBody, Progress, QueueOption, QueuedCommand } from "@jetson/protocol";

export interface InvokeRequest {
  action: string;
  args: Record<string, unknown>;
  timeoutMs: number;
  requestedBy: string;
  /** The command's id, chosen by the caller so its audit row names it before it is sent (a new one if absent). */
  commandId?: string;
  /** If the device is offline, wait for it this long instead of refusing. */
  queue?: QueueOption;
  /** The API token the caller stands for: a queued command whose token is revoked before it goes out never does. */
  credential?: string;
  /** The command's audit row, already begun: the device's object completes it when the command ends with nobody waiting. */
  auditId?: number;
}

export type InvokeOutcome =
  | { ok: true; data: unknown; startedAt: number; endedAt: number }
  /** `queued`: the device was offline and the command waits for it; its result is read later from the ledger. */
  | { ok: false; error: ActionErrorBody; lastSeen?: number; queued?: QueuedCommand };

export type ProgressListener = (progress: Omit<Progress, "id">) => void;

/** A command started without waiting for it (an MCP task): its audit row is completed by the device's object when it ends. */
export interface StartRequest extends Omit<InvokeRequest, "queue" | "credential"> {
  commandId: string;
  auditId: number;
}

export type StartOutcome = { ok: true; createdAt: number } | { ok: false; error: ActionErrorBody };
