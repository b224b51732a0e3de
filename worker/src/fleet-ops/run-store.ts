import type {
  ConfirmedBy,
  ActionErrorBody,
  Caller,
  Canary,
  FleetRun,
  FleetRunBrief,
  FleetRunDevice,
  FleetRunState,
  RunCounts,
  RunDeviceState,
} from "@jetson/protocol";
import type { InvokeOutcome } from "../device/invoke.js";
import { redact } from "../policy.js";
import type { Schema } from "../sqlite-migrations.js";
import type { DeviceProgress } from "./run-policy.js";

/** What a run was asked to do, fixed when it starts. */
export interface RunSpec {
  id: string;
  fleet: string;
  /** Who started it: every device's command runs, and is audited, as this caller. */
  caller: Caller;
  requestedBy: string;
  action: string;
  args: Record<string, unknown>;
  selector: string;
  canary?: Canary;
  concurrency: number;
  abortThresholdPct?: number;
  timeoutMs: number;
  confirmedBy?: ConfirmedBy;
  createdAt: number;
}

export const RUN_SCHEMA: Schema = {
  name: "run",
  migrations: [
    `
  CREATE TABLE IF NOT EXISTS run (
    id TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    ended_at INTEGER,
    version INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE IF NOT EXISTS run_devices (
    device TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    canary INTEGER NOT NULL,
    state TEXT NOT NULL,
    started_at INTEGER,
    ended_at INTEGER,
    data TEXT,
    error TEXT
  );
`,
    // The command each device was sent, so cancelling the run can stop it there.
    "ALTER TABLE run_devices ADD COLUMN command_id TEXT",
  ],
};

/** A result larger than this is left out of the run (the device's ledger keeps it). */
const MAX_DATA_CHARS = 16_384;

interface DeviceRow {
  device: string;
  canary: number;
  state: RunDeviceState;
  started_at: number | null;
  ended_at: number | null;
  data: string | null;
  error: string | null;
}

/** One run's record in its object's SQLite: what was asked, and each device's state and result. */
export class RunStore {
  constructor(private readonly storage: DurableObjectStorage) {}

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  create(spec: RunSpec, devices: Array<{ device: string; canary: boolean }>): void {
    this.storage.transactionSync(() => {
      this.sql.exec("INSERT INTO run (id, spec, state) VALUES (?, ?, 'running')", spec.id, JSON.stringify(spec));
      devices.forEach(({ device, canary }, position) =>
        this.sql.exec("INSERT INTO run_devices (device, position, canary, state) VALUES (?, ?, ?, 'pending')", device, position, canary ? 1 : 0),
      );
    });
  }

  spec(): RunSpec | undefined {
    const row = this.sql.exec<{ spec: string }>("SELECT spec FROM run").toArray()[0];
    if (!row) return undefined;
    // Runs started before confirmations were recorded by kind kept a plain flag.
    const spec = JSON.parse(row.spec) as RunSpec & { confirm?: boolean };
    return spec.confirm === true && spec.confirmedBy === undefined ? { ...spec, confirmedBy: "flag" } : spec;
  }

  /** When the run ended; undefined while it runs (or before it exists). */
  get endedAt(): number | undefined {
    return this.sql.exec<{ ended_at: number | null }>("SELECT ended_at FROM run").toArray()[0]?.ended_at ?? undefined;
  }

  get ended(): boolean {
    return this.sql.exec<{ state: string }>("SELECT state FROM run").toArray()[0]?.state !== "running";
  }

  /** Grows with every change, so a watcher can tell whether it has seen the latest. */
  get version(): number {
    return this.sql.exec<{ version: number }>("SELECT version FROM run").toArray()[0]?.version ?? 0;
  }

  progress(): DeviceProgress[] {
    return this.devices().map((row) => ({ device: row.device, canary: row.canary === 1, state: row.state }));
  }

  markRunning(device: string, commandId: string, at: number): void {
    this.sql.exec("UPDATE run_devices SET state = 'running', started_at = ?, command_id = ? WHERE device = ?", at, commandId, device);
    this.bump();
  }

  /** Devices whose command is in flight, with its id. */
  running(): Array<{ device: string; commandId: string }> {
    return this.sql
      .exec<{ device: string; command_id: string }>("SELECT device, command_id FROM run_devices WHERE state = 'running' AND command_id IS NOT NULL")
      .toArray()
      .map((row) => ({ device: row.device, commandId: row.command_id }));
  }

  finish(device: string, outcome: InvokeOutcome, at: number): void {
    const data = outcome.ok ? JSON.stringify(outcome.data ?? null) : null;
    this.sql.exec(
      "UPDATE run_devices SET state = ?, ended_at = ?, data = ?, error = ? WHERE device = ? AND state = 'running'",
      outcome.ok ? "succeeded" : "failed",
      at,
      data !== null && data.length > MAX_DATA_CHARS ? JSON.stringify({ omitted: `a result of ${data.length} characters; see the device's commands` }) : data,
      outcome.ok ? null : JSON.stringify(outcome.error),
      device,
    );
    this.bump();
  }

  /** Devices left `running` by an earlier instance of the object, whose command's outcome it never heard. */
  interrupt(except: ReadonlySet<string>, at: number): void {
    const error: ActionErrorBody = {
      code: "unavailable",
      message: "The run was interrupted while this device's command was in flight; its outcome is in the device's commands. It was not sent again.",
    };
    const orphans = this.devices().filter((d) => d.state === "running" && !except.has(d.device));
    for (const row of orphans) {
      this.sql.exec("UPDATE run_devices SET state = 'failed', ended_at = ?, error = ? WHERE device = ?", at, JSON.stringify(error), row.device);
    }
    if (orphans.length > 0) this.bump();
  }

  end(state: Exclude<FleetRunState, "running">, reason: string | undefined, at: number): void {
    this.storage.transactionSync(() => {
      this.sql.exec("UPDATE run_devices SET state = 'skipped' WHERE state = 'pending'");
      this.sql.exec("UPDATE run SET state = ?, reason = ?, ended_at = ?", state, reason ?? null, at);
      this.bump();
    });
  }

  /** The run as callers read it: its arguments redacted as the audit trail's (the devices get them whole, through the spec). */
  view(): FleetRun | undefined {
    const brief = this.brief();
    if (!brief) return undefined;
    const spec = this.spec();
    return { ...brief, args: redact(spec?.args ?? {}), devices: this.devices().map(deviceView) };
  }

  brief(): FleetRunBrief | undefined {
    const spec = this.spec();
    const run = this.sql.exec<{ state: FleetRunState; reason: string | null; ended_at: number | null }>("SELECT state, reason, ended_at FROM run").toArray()[0];
    if (!spec || !run) return undefined;
    const counts = noCounts();
    for (const { state } of this.progress()) counts[state] += 1;
    return briefOf(spec, counts, { state: run.state, reason: run.reason ?? undefined, endedAt: run.ended_at ?? undefined });
  }

  private devices(): DeviceRow[] {
    return this.sql
      .exec<Record<string, SqlStorageValue>>("SELECT device, canary, state, started_at, ended_at, data, error FROM run_devices ORDER BY position")
      .toArray() as unknown as DeviceRow[];
  }

  private bump(): void {
    this.sql.exec("UPDATE run SET version = version + 1");
  }
}

/** The brief of a run about to start on `devices` devices, before its record exists. */
export function startingBrief(spec: RunSpec, devices: number): FleetRunBrief {
  return briefOf(spec, { ...noCounts(), pending: devices }, { state: "running" });
}

const noCounts = (): RunCounts => ({ pending: 0, running: 0, succeeded: 0, failed: 0, skipped: 0 });

function briefOf(spec: RunSpec, counts: RunCounts, run: Pick<FleetRunBrief, "state" | "reason" | "endedAt">): FleetRunBrief {
  return {
    id: spec.id,
    action: spec.action,
    selector: spec.selector,
    canary: spec.canary,
    concurrency: spec.concurrency,
    abortThresholdPct: spec.abortThresholdPct,
    timeoutMs: spec.timeoutMs,
    requestedBy: spec.requestedBy,
    createdAt: spec.createdAt,
    endedAt: run.endedAt,
    state: run.state,
    reason: run.reason,
    counts,
  };
}

function deviceView(row: DeviceRow): FleetRunDevice {
  return {
    device: row.device,
    canary: row.canary === 1,
    state: row.state,
    startedAt: row.started_at ?? undefined,
    endedAt: row.ended_at ?? undefined,
    data: row.data === null ? undefined : (JSON.parse(row.data) as unknown),
    error: row.error === null ? undefined : (JSON.parse(row.error) as ActionErrorBody),
  };
}
