import {
  type Alert,
  type AlertThresholds,
  type DeviceAlerts,
  type LatestTelemetry,
  MAX_RECENT_ALERTS,
  type TelemetryRange,
  type TelemetrySeries,
  type TimedSample,
} from "@jetson/protocol";
import { evaluate } from "./alert-rules.js";
import { AlertStore } from "./alert-store.js";
import { flatten, latestOf } from "./metrics.js";
import { ALERT_HISTORY_MS } from "./retention.js";
import { type Ingested, TelemetryStore } from "./telemetry-store.js";

const RECENT_MS = 24 * 3_600_000;

/** What storing a batch did: what of it was left out, and whether an alert was raised or cleared. */
export type Stored = Omit<Ingested, "fresh"> & { alertsChanged: boolean };

/** A device's telemetry and alerts as its object uses them: the object only wires these calls to its events. */
export class DeviceTelemetry {
  private readonly samples: TelemetryStore;
  private readonly alerts: AlertStore;

  constructor(storage: DurableObjectStorage) {
    this.samples = new TelemetryStore(storage);
    this.alerts = new AlertStore(storage.sql);
  }

  /** Stores a batch and runs the alert rules over what it adds. */
  ingest(samples: readonly TimedSample[], now: number): Stored {
    const { fresh, refused, noneInWindow } = this.samples.ingest(samples, now);
    if (fresh.length === 0) return { alertsChanged: false, refused, noneInWindow };
    const metrics = new Map(fresh.map(({ sample, metrics }) => [sample, metrics]));
    const { transitions, state } = evaluate(
      fresh.map(({ sample }) => sample),
      this.alerts.activeKinds(),
      this.alerts.thresholds(),
      this.alerts.evaluatorState(),
      (sample) => metrics.get(sample) ?? flatten(sample),
    );
    this.alerts.apply(transitions, state);
    return { alertsChanged: transitions.length > 0, refused, noneInWindow };
  }

  query(range: TelemetryRange): TelemetrySeries {
    return this.samples.query(range);
  }

  view(now: number): DeviceAlerts {
    const { alerts, omitted } = this.alerts.clearedSince(now - RECENT_MS, MAX_RECENT_ALERTS);
    return { active: this.alerts.active(), recent: alerts, ...(omitted > 0 && { recentOmitted: omitted }), thresholds: this.alerts.thresholds() };
  }

  /** New thresholds apply from the next sample (and the next offline check). */
  setThresholds(thresholds: AlertThresholds): AlertThresholds {
    this.alerts.setThresholds(thresholds);
    return thresholds;
  }

  /** When a device last seen at `lastSeen` counts as offline. */
  offlineDue(lastSeen: number): number {
    return lastSeen + this.alerts.thresholds().offlineMinutes * 60_000;
  }

  /**
   * Raises the offline alert once the device has been away long enough.
   * Returns whether it was raised now, and when to look again if not yet.
   */
  checkOffline(lastSeen: number, now: number): { raised: boolean; next?: number } {
    const due = this.offlineDue(lastSeen);
    if (now < due) return { raised: false, next: due };
    if (this.alerts.activeKinds().has("offline")) return { raised: false };
    const minutes = Math.floor((now - lastSeen) / 60_000);
    const message = `Offline since ${new Date(lastSeen).toISOString()} (${minutes} min).`;
    this.alerts.apply([{ kind: "offline", change: "raise", at: now, value: minutes, message }]);
    return { raised: true };
  }

  /** The device is back: clears the offline alert; returns whether there was one. */
  online(now: number): boolean {
    if (!this.alerts.activeKinds().has("offline")) return false;
    this.alerts.apply([{ kind: "offline", change: "clear", at: now }]);
    return true;
  }

  /** The alarm's retention duty: returns when it is next needed. */
  expire(now: number): number | undefined {
    this.alerts.prune(now - ALERT_HISTORY_MS);
    return this.samples.expire(now);
  }

  /** What the device's summary carries: active alerts and the newest sample in brief. */
  summary(): { alerts: Alert[]; latest?: LatestTelemetry } {
    const latest = this.samples.latest();
    return { alerts: this.alerts.active(), ...(latest && { latest: latestOf(latest) }) };
  }
}
