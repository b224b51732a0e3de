import {
  type Command,
  type CommandDetail,
  CommandDetailSchema,
  type CommandRecord,
  type DeviceState,
  type DeviceSummary,
  type Progress,
} from "@jetson/protocol";
import { redact } from "../policy.js";
import type { Schema } from "../sqlite-migrations.js";

export type CommandState = CommandRecord["state"];
/** The states of a command that has not ended: one a cancel still stops. */
export const OPEN_STATES = ["queued", "sent", "running"] as const satisfies readonly CommandState[];
/** The states a command ends in. */
export type FinalState = Exclude<CommandState, (typeof OPEN_STATES)[number]>;

export interface LedgerRow {
  id: string;
  action: string;
  args: string;
  requested_by: string;
  deadline: number;
  state: CommandState;
  created_at: number;
  ended_at: number | null;
}

export interface Presence {
  online: boolean;
  connectedSince?: number;
  lastSeen?: number;
}

export interface Identity {
  fleet: string;
  deviceId: string;
  /** Empty once the device is revoked: no presented secret hashes to it. */
  credentialHash: string;
  revoked?: boolean;
}

export interface Published {
  at: number;
  summary: DeviceSummary;
}

/** Identity and presence (`meta`) and the command ledger. */
export const LEDGER_SCHEMA: Schema = {
  name: "ledger",
  migrations: [
    `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS commands (
    id TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    args TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    deadline INTEGER NOT NULL,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    acked_at INTEGER,
    ended_at INTEGER,
    result TEXT
  );
  CREATE INDEX IF NOT EXISTS commands_open ON commands (state, deadline);
`,
    // Retention deletes by age.
    "CREATE INDEX IF NOT EXISTS commands_created ON commands (created_at)",
    // The last progress the device reported, and when: what tasks/get shows of a running command.
    "ALTER TABLE commands ADD COLUMN progress TEXT; ALTER TABLE commands ADD COLUMN progress_at INTEGER;",
    // What the device reported for a command after the ledger recorded it as cancelled.
    "ALTER TABLE commands ADD COLUMN outcome_on_device TEXT",
    // The audit row the command completes: an object restarted while nobody waits for it completes the row itself.
    "ALTER TABLE commands ADD COLUMN audit_id INTEGER",
    // 1 while the device may still run a command cancelled here: the cancel is sent at each new link until it answers.
    "ALTER TABLE commands ADD COLUMN cancel_owed INTEGER",
  ],
};

/** Finished commands stay in the ledger this long, and it keeps at most this many rows: a device's ledger stays bounded. */
export const LEDGER_RETENTION_MS = 30 * 86_400_000;
export const MAX_LEDGER_ROWS = 1_000;
const OPEN_SQL = `(${OPEN_STATES.map((state) => `'${state}'`).join(", ")})`;
const NOT_QUEUED = "id NOT IN (SELECT id FROM queued_commands)";

/** The device object's SQLite tables: identity and presence, the command ledger (telemetry lives in ../telemetry). */
export class DeviceStore {
  constructor(private readonly sql: SqlStorage) {}

  identity(): Identity | undefined {
    const value = this.meta("identity");
    return value ? (JSON.parse(value) as Identity) : undefined;
  }

  setIdentity(identity: Identity): void {
    this.setMeta("identity", JSON.stringify(identity));
  }

  presence(): Presence {
    const value = this.meta("presence");
    return value ? (JSON.parse(value) as Presence) : { online: false };
  }

  setPresence(presence: Presence): void {
    this.setMeta("presence", JSON.stringify(presence));
  }

  state(): DeviceState | undefined {
    const value = this.meta("state");
    return value ? (JSON.parse(value) as DeviceState) : undefined;
  }

  setState(state: DeviceState): void {
    this.setMeta("state", JSON.stringify(state));
  }

  tags(): string[] {
    const value = this.meta("tags");
    return value ? (JSON.parse(value) as string[]) : [];
  }

  setTags(tags: string[]): void {
    this.setMeta("tags", JSON.stringify(tags));
  }

  /** The summary the fleet's registry last received, and when: kept so that a rebuilt object still knows what it holds. */
  published(): Published | undefined {
    const value = this.meta("published");
    return value ? (JSON.parse(value) as Published) : undefined;
  }

  setPublished(published: Published): void {
    this.setMeta("published", JSON.stringify(published));
  }

  /**
   * A new command enters the ledger `queued`, whether it goes out now or waits for the device, with the
   * audit row it completes (none for the object's own commands); finished ones past retention leave it.
   */
  insertCommand(command: Command, now: number, auditId?: number): void {
    this.sql.exec(
      "INSERT INTO commands (id, action, args, requested_by, deadline, state, created_at, audit_id) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)",
      command.id,
      command.action,
      JSON.stringify(command.args),
      command.requestedBy,
      command.deadline,
      now,
      auditId ?? null,
    );
    this.prune(now);
  }

  /**
   * The retention duty's part: finished commands past retention leave the ledger also when no new
   * command comes. Returns when the oldest row left reaches retention (rows already past it are open ones).
   */
  expire(now: number): number | undefined {
    this.prune(now);
    const oldest = this.sql.exec<{ t: number | null }>("SELECT min(created_at) AS t FROM commands WHERE created_at >= ?", now - LEDGER_RETENTION_MS).one().t;
    return oldest === null ? undefined : oldest + LEDGER_RETENTION_MS;
  }

  private prune(now: number): void {
    // rowid grows with every insert, so the newest MAX_LEDGER_ROWS are those above max(rowid) - MAX_LEDGER_ROWS. Two range deletes, each on an index.
    this.sql.exec(`DELETE FROM commands WHERE rowid <= (SELECT max(rowid) FROM commands) - ? AND state NOT IN ${OPEN_SQL}`, MAX_LEDGER_ROWS);
    this.sql.exec(`DELETE FROM commands WHERE created_at < ? AND state NOT IN ${OPEN_SQL}`, now - LEDGER_RETENTION_MS);
  }

  markSent(id: string, at: number): void {
    this.sql.exec("UPDATE commands SET state = 'sent', sent_at = ? WHERE id = ? AND state IN ('queued', 'sent')", at, id);
  }

  markRunning(id: string, at: number): void {
    this.sql.exec("UPDATE commands SET state = 'running', acked_at = ? WHERE id = ? AND state IN ('queued', 'sent')", at, id);
  }

  /** Keeps the device's latest progress report of an open command. */
  setProgress(id: string, progress: Omit<Progress, "id">, at: number): void {
    this.sql.exec(`UPDATE commands SET progress = ?, progress_at = ? WHERE id = ? AND state IN ${OPEN_SQL}`, JSON.stringify(progress), at, id);
  }

  /** Records the outcome once; a late or repeated result does not overwrite it. Returns whether it was recorded. */
  finish(id: string, state: FinalState, at: number, result: unknown): boolean {
    const cursor = this.sql.exec(
      "UPDATE commands SET state = ?, ended_at = ?, result = ? WHERE id = ? AND state IN ('queued', 'sent', 'running')",
      state,
      at,
      JSON.stringify(result ?? null),
      id,
    );
    return cursor.rowsWritten > 0;
  }

  /**
   * Records a command cancelled before it reached this object (a fleet run cancelled while the
   * command was still on its way): the ledger shows it cancelled, and its id is refused when it comes.
   */
  insertCancelled(id: string, action: string, by: string, at: number, result: unknown): void {
    this.sql.exec(
      "INSERT INTO commands (id, action, args, requested_by, deadline, state, created_at, ended_at, result) VALUES (?, ?, '{}', ?, ?, 'cancelled', ?, ?, ?) ON CONFLICT (id) DO NOTHING",
      id,
      action,
      by,
      at,
      at,
      at,
      JSON.stringify(result),
    );
  }

  /**
   * Keeps the first result the device sent for a command already cancelled or timed out here (that
   * state stands: its caller was answered). Returns whether it was kept.
   */
  keepOutcomeOnDevice(id: string, result: unknown): boolean {
    const cursor = this.sql.exec(
      "UPDATE commands SET outcome_on_device = ? WHERE id = ? AND state IN ('cancelled', 'timed_out') AND outcome_on_device IS NULL",
      JSON.stringify(result),
      id,
    );
    return cursor.rowsWritten > 0;
  }

  /** The device may be running this cancelled command: it is told to stop it at each new link (cancelsOwed) until it answers. */
  oweCancel(id: string): void {
    this.sql.exec("UPDATE commands SET cancel_owed = 1 WHERE id = ?", id);
  }

  /** Cancelled commands the device has not answered, whose deadline has not passed. */
  cancelsOwed(now: number): string[] {
    return this.sql
      .exec<{ id: string }>("SELECT id FROM commands WHERE cancel_owed = 1 AND deadline > ? ORDER BY created_at", now)
      .toArray()
      .map((row) => row.id);
  }

  /** The device answered a command: no cancel of it is owed any more. */
  answered(id: string): void {
    this.sql.exec("UPDATE commands SET cancel_owed = NULL WHERE id = ? AND cancel_owed IS NOT NULL", id);
  }

  /**
   * Commands the device holds: sent to it (or running) and within their deadline, whoever waits for
   * them (a caller, an MCP task, nobody: a queued command delivered at reconnect).
   */
  onDevice(now: number): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM commands WHERE state IN ('sent', 'running') AND deadline > ?", now).one().n;
  }

  /** The command has not ended. */
  isOpen(id: string): boolean {
    return this.sql.exec(`SELECT 1 FROM commands WHERE id = ? AND state IN ${OPEN_SQL}`, id).toArray().length > 0;
  }

  command(id: string): LedgerRow | undefined {
    return this.sql.exec<Record<string, SqlStorageValue>>(
      "SELECT id, action, args, requested_by, deadline, state, created_at, ended_at FROM commands WHERE id = ?",
      id,
    ).toArray()[0] as LedgerRow | undefined;
  }

  /** One command with its stored outcome, for a caller reading it after the fact; its arguments redacted as the audit trail's. */
  detail(id: string, expiresAt?: number): CommandDetail | undefined {
    const row = this.sql
      .exec<Record<string, SqlStorageValue>>(
        "SELECT id, action, args, state, requested_by, deadline, created_at, ended_at, result, progress, progress_at, outcome_on_device FROM commands WHERE id = ?",
        id,
      )
      .toArray()[0];
    if (!row) return undefined;
    return CommandDetailSchema.parse({
      id: row.id,
      action: row.action,
      args: redact(JSON.parse(String(row.args)) as Record<string, unknown>),
      state: row.state,
      requestedBy: row.requested_by,
      deadline: row.deadline,
      createdAt: row.created_at,
      endedAt: row.ended_at ?? undefined,
      expiresAt,
      outcome: row.result === null ? undefined : JSON.parse(String(row.result)),
      progress: row.progress === null ? undefined : { ...(JSON.parse(String(row.progress)) as object), at: row.progress_at },
      outcomeOnDevice: row.outcome_on_device === null ? undefined : JSON.parse(String(row.outcome_on_device)),
    });
  }

  /** Every command not finished (queued, sent or running), deadline passed or not. */
  openCommandIds(): string[] {
    return this.sql
      .exec<{ id: string }>(`SELECT id FROM commands WHERE state IN ${OPEN_SQL} ORDER BY created_at`)
      .toArray()
      .map((row) => row.id);
  }

  /** The audit row a command completes; undefined for the object's own commands and those of earlier releases. */
  auditId(id: string): number | undefined {
    return this.sql.exec<{ audit_id: number | null }>("SELECT audit_id FROM commands WHERE id = ?", id).toArray()[0]?.audit_id ?? undefined;
  }

  /** Open commands past their deadline, but for queued ones: the queue times those out by its own clock (queue.ts). */
  overdue(now: number): string[] {
    return this.sql
      .exec<{ id: string }>(`SELECT id FROM commands WHERE state IN ${OPEN_SQL} AND deadline <= ? AND ${NOT_QUEUED}`, now)
      .toArray()
      .map((row) => row.id);
  }

  /** The earliest deadline of an open command that is not queued, if any. */
  nextDeadline(): number | undefined {
    return this.sql.exec<{ due: number | null }>(`SELECT min(deadline) AS due FROM commands WHERE state IN ${OPEN_SQL} AND ${NOT_QUEUED}`).one().due ?? undefined;
  }

  /** Commands sent but not finished whose deadline is still ahead: to deliver again after a reconnect. */
  unfinished(now: number): LedgerRow[] {
    return this.sql
      .exec<Record<string, SqlStorageValue>>(
        "SELECT id, action, args, requested_by, deadline, state, created_at, ended_at FROM commands WHERE state IN ('queued', 'sent', 'running') AND deadline > ? ORDER BY created_at",
        now,
      )
      .toArray() as unknown as LedgerRow[];
  }

  recentCommands(limit: number): CommandRecord[] {
    return this.sql
      .exec<Record<string, SqlStorageValue>>(
        "SELECT id, action, state, requested_by, created_at, ended_at FROM commands ORDER BY created_at DESC LIMIT ?",
        limit,
      )
      .toArray()
      .map((row) => ({
        id: String(row.id),
        action: String(row.action),
        state: row.state as CommandState,
        requestedBy: String(row.requested_by),
        createdAt: Number(row.created_at),
        endedAt: row.ended_at === null ? undefined : Number(row.ended_at),
      }));
  }

  private meta(key: string): string | undefined {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row?.value;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
  }
}
