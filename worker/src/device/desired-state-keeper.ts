import { type ActionName, type AuditEntry, type DesiredState, type DesiredStatus, type Drift, findAction } from "@jetson/protocol";
import { redact } from "../policy.js";
import { type DeviceCall, DeviceAway, reconcile } from "./desired-state.js";
import { DesiredStateStore } from "./desired-state-store.js";
import type { InvokeOutcome, InvokeRequest } from "./invoke.js";

/** How commands sent to keep the desired state appear in the ledger and the audit trail. */
export const DESIRED_STATE_CALLER = "desired-state";

/** The desired state changed while a pass was applying it. */
class Replaced extends Error {}

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

  /**
   * The alarm duty (detached: it awaits the device): while the device is online, brings it in line
   * and records what could not be. A pass whose desired state was replaced meanwhile stops sending
   * and records nothing.
   */
  async keep(host: KeeperHost): Promise<undefined> {
    const { desired, drift: before } = this.store.current();
    if (Object.keys(desired).length === 0) {
      // Nothing is asked, so nothing drifts.
      if (this.store.setChecked([], Date.now())) await host.driftChanged();
      return undefined;
    }
    if (!host.online()) return undefined;
    const call: DeviceCall = async (action, args, timeoutMs) => {
      if (!this.store.holds(desired)) throw new Replaced();
      return this.call(host, action, args, timeoutMs);
    };
    try {
      const drift = await reconcile(desired, call, before, Date.now());
      if (this.store.holds(desired) && this.store.setChecked(drift, Date.now())) await host.driftChanged();
    } catch (error) {
      // Offline part-way: its next connection runs the comparison again. Replaced: the pass after this one does.
      if (!(error instanceof DeviceAway || error instanceof Replaced)) throw error;
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
