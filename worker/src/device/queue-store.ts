import type { Schema } from "../sqlite-migrations.js";

export const QUEUE_SCHEMA: Schema = {
  name: "queued_commands",
  migrations: [
    `
  CREATE TABLE IF NOT EXISTS queued_commands (
    id TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL,
    timeout_ms INTEGER NOT NULL
  );
`,
    // The API token a queued command stands for: revoked before the command is delivered, it withdraws the command.
    "ALTER TABLE queued_commands ADD COLUMN credential TEXT",
  ],
};

/**
 * Which ledger commands were queued for an offline device, and until when. The
 * command itself is an ordinary ledger row (state `queued`, deadline = expiry),
 * so the redelivery on SUBSCRIBE delivers it; this table adds what only a
 * queued command has: its expiry, and how long its result may take once sent.
 */
export class QueueStore {
  constructor(private readonly sql: SqlStorage) {}

  /** Adds a command the ledger has just taken; forgets those the ledger's retention removed. */
  add(id: string, expiresAt: number, timeoutMs: number, credential: string | undefined): void {
    this.sql.exec(
      "INSERT INTO queued_commands (id, expires_at, timeout_ms, credential) VALUES (?, ?, ?, ?)",
      id,
      expiresAt,
      timeoutMs,
      credential ?? null,
    );
    this.sql.exec("DELETE FROM queued_commands WHERE id NOT IN (SELECT id FROM commands)");
  }

  expiresAt(id: string): number | undefined {
    const row = this.sql.exec<{ expires_at: number }>("SELECT expires_at FROM queued_commands WHERE id = ?", id).toArray()[0];
    return row?.expires_at;
  }

  /** The credential of each command still waiting for the device that has one (none: queued by an earlier release), by command id. */
  credentials(): Map<string, string> {
    const rows = this.sql
      .exec<{ id: string; credential: string }>(
        "SELECT q.id, q.credential FROM queued_commands q JOIN commands c ON c.id = q.id WHERE c.state = 'queued' AND q.credential IS NOT NULL",
      )
      .toArray();
    return new Map(rows.map((row) => [row.id, row.credential]));
  }

  /** Queued commands still waiting for the device. */
  waiting(): number {
    return this.sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM queued_commands q JOIN commands c ON c.id = q.id WHERE c.state = 'queued'")
      .one().n;
  }

  /** Never delivered, and past their expiry. */
  expired(now: number): string[] {
    return this.sql
      .exec<{ id: string }>("SELECT q.id FROM queued_commands q JOIN commands c ON c.id = q.id WHERE c.state = 'queued' AND q.expires_at <= ?", now)
      .toArray()
      .map((row) => row.id);
  }

  /** Delivered, and still without a result once their timeout has passed since delivery. */
  overdue(now: number): string[] {
    return this.sql
      .exec<{ id: string }>(
        "SELECT q.id FROM queued_commands q JOIN commands c ON c.id = q.id WHERE c.state IN ('sent', 'running') AND c.sent_at + q.timeout_ms <= ?",
        now,
      )
      .toArray()
      .map((row) => row.id);
  }

  /** When the next queued command expires or runs out of time, if any is open. */
  nextDue(): number | undefined {
    const row = this.sql
      .exec<{ due: number | null }>(
        `SELECT min(CASE WHEN c.state = 'queued' THEN q.expires_at ELSE c.sent_at + q.timeout_ms END) AS due
         FROM queued_commands q JOIN commands c ON c.id = q.id WHERE c.state IN ('queued', 'sent', 'running')`,
      )
      .one();
    return row.due ?? undefined;
  }
}
