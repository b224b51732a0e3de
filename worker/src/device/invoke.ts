import type { ActionErrorBody, Progress } from "@jetson/protocol";

export interface InvokeRequest {
  action: string;
  args: Record<string, unknown>;
  timeoutMs: number;
  requestedBy: string;
}

export type InvokeOutcome =
  | { ok: true; data: unknown; startedAt: number; endedAt: number }
  | { ok: false; error: ActionErrorBody; lastSeen?: number };

export type ProgressListener = (progress: Omit<Progress, "id">) => void;
