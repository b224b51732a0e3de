import type { ActionErrorBody, Command, QueuedCommand } from "@jetson/protocol";
import type { QueueStore } from "./queue-store.js";
import type { DeviceStore } from "./store.js";

/** A device away for long should not come back to a flood of stale commands. */
export const MAX_QUEUED = 32;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Commands that wait for an offline device. They are ledger rows in state
 * `queued` whose deadline is their expiry: the redelivery on SUBSCRIBE delivers
 * them once, the bridge will not start one past its deadline, and the alarm
 * marks the ones that never went out `expired`.
 */
export class CommandQueue {
  constructor(
    private readonly ledger: DeviceStore,
    private readonly queue: QueueStore,
  ) {}

  get full(): boolean {
    return this.queue.waiting() >= MAX_QUEUED;
  }

  /** `credential`: the API token the command stands for (see withdraw). */
  enqueue(command: Command, timeoutMs: number, now: number, auditId: number | undefined, credential: string | undefined): QueuedCommand {
    this.ledger.insertCommand(command, now, auditId);
    this.queue.add(command.id, command.deadline, timeoutMs, credential);
    return { commandId: command.id, expiresAt: command.deadline };
  }

  /** The credential of each waiting command that has one, by command id: it goes out only while that credential is live. */
  credentials(): Map<string, string> {
    return this.queue.credentials();
  }

  /**
   * Ends a waiting command whose credential was revoked while it waited, so that it never goes out.
   * Answers why, or undefined when it had ended already (cancelled or expired meanwhile).
   */
  withdraw(id: string, credential: string, now: number): ActionErrorBody | undefined {
    const error = { code: "cancelled" as const, message: `Withdrawn before delivery: the token ${credential} it was queued under was revoked.` };
    return this.ledger.finish(id, "cancelled", now, { ok: false, error }) ? error : undefined;
  }

  expiresAt(id: string): number | undefined {
    return this.queue.expiresAt(id);
  }

  /** The alarm duty: expires what waited too long, times out what was sent and never answered; returns the next due time. */
  settle(now: number): number | undefined {
    for (const id of this.queue.expired(now)) {
      const expiresAt = this.queue.expiresAt(id) ?? now;
      this.ledger.finish(id, "expired", now, {
        ok: false,
        error: { code: "timed_out", message: `Expired at ${iso(expiresAt)}: the device did not come back in time, so it never ran.` },
      });
    }
    for (const id of this.queue.overdue(now)) {
      this.ledger.finish(id, "timed_out", now, {
        ok: false,
        error: { code: "timed_out", message: "Delivered after the device came back, but no result arrived in time." },
      });
    }
    return this.queue.nextDue();
  }

  nextDue(): number | undefined {
    return this.queue.nextDue();
  }
}
