import { type ActionName, type AuditEntry, type DesiredState, type DesiredStatus, type Drift, findAction } from "@jetson/protocol";
import { redact } from "../policy.js";
import { DeviceAway, reconcile } from "./desired-state.js";
import { DesiredStateStore } from "./desired-state-store.js";
import type { InvokeOutcome, InvokeRequest } from "./invoke.js";

/** How commands sent to keep the desired state appear in the ledger and the audit trail. */
export const DESIRED_STATE_CALLER = "desired-state";

/** What the keeper needs from the device's object. */
export interface KeeperHost {
  readonly deviceId: string;
  online(): boolean;
  invoke(request: InvokeRequest): Promise<InvokeOutcome>;
  audit(entry: Omit<AuditEntry, "id">): Promise<void>;
  /** The drift changed: the summary should say so. */
  driftChanged(): Promise<void>;
}

/** Keeps one device in its desired state: stores it, compares and fixes it (an alarm duty), and reports drift. */
export class DesiredStateKeeper {
  private readonly store: DesiredStateStore;

  constructor(sql: SqlStorage) {
    this.store = new DesiredStateStore(sql);
  }

  get drift(): Drift[] {
    return this.store.current().drift;
  }

  get managed(): boolean {
    return Object.keys(this.store.current().desired).length > 0;
  }

  status(device: string): DesiredStatus {
    const { desired, rules, drift, updatedAt, checkedAt } = this.store.current();
    return { device, desired, rules, drift, updatedAt, checkedAt };
  }

  /** Takes the merged rules that choose the device now, and what the registry worked them out from; returns whether they changed. */
  update(desired: DesiredState, rules: string[], now: number, basis: string): boolean {
    return this.store.setDesired(desired, rules, now, basis);
  }

  /** Whether the rules kept were worked out from `basis`: asking again would give the same. */
  pulledFrom(basis: string): boolean {
    return this.store.current().basis === basis;
  }

  /** The alarm duty: while the device is online, brings it in line and records what could not be. */
  async keep(host: KeeperHost): Promise<undefined> {
    const { desired, drift: before } = this.store.current();
    if (!host.online() || Object.keys(desired).length === 0) return undefined;
    try {
      const drift = await reconcile(desired, (action, args, timeoutMs) => this.call(host, action, args, timeoutMs), before, Date.now());
      if (this.store.setChecked(drift, Date.now())) await host.driftChanged();
    } catch (error) {
      // Offline part-way: its next connection runs the comparison again.
      if (!(error instanceof DeviceAway)) throw error;
    }
    return undefined;
  }

  private async call(host: KeeperHost, action: ActionName, args: Record<string, unknown>, timeoutMs: number): Promise<InvokeOutcome> {
    const started = Date.now();
    const outcome = await host.invoke({ action, args, timeoutMs, requestedBy: DESIRED_STATE_CALLER });
    // Every reconnect reads the device; only the changes made to it belong in the audit trail.
    if (!findAction(action)?.hints.readOnly) {
      await host.audit({
        at: started,
        caller: DESIRED_STATE_CALLER,
        device: host.deviceId,
        action,
        args: redact(args),
        outcome: outcome.ok ? "succeeded" : "failed",
        error: outcome.ok ? undefined : `${outcome.error.code}: ${outcome.error.message}`,
        durationMs: Date.now() - started,
      });
    }
    return outcome;
  }
}
