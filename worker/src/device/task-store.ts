import type { Schema } from "../sqlite-migrations.js";

export const TASK_SCHEMA: Schema = {
  name: "task_commands",
  migrations: ["CREATE TABLE IF NOT EXISTS task_commands (id TEXT PRIMARY KEY, audit_id INTEGER NOT NULL)"],
};

const OPEN = "c.state IN ('queued', 'sent', 'running')";

/**
 * Which ledger commands were started as MCP tasks. Nobody waits on such a command
 * in memory, so this table is what settles it: its audit row is completed when it
 * ends, and the alarm times it out at its deadline if the device never answers.
 */
export class TaskStore {
  constructor(private readonly sql: SqlStorage) {}

  /** Adds a command the ledger has just taken; forgets those the ledger's retention removed. */
  add(id: string, auditId: number): void {
    this.sql.exec("INSERT INTO task_commands (id, audit_id) VALUES (?, ?)", id, auditId);
    this.sql.exec("DELETE FROM task_commands WHERE id NOT IN (SELECT id FROM commands)");
  }

  /** The audit row of a task command; undefined for a command not started as a task. */
  auditId(id: string): number | undefined {
    return this.sql.exec<{ audit_id: number }>("SELECT audit_id FROM task_commands WHERE id = ?", id).toArray()[0]?.audit_id;
  }

  /** Open task commands whose deadline has passed. */
  overdue(now: number): string[] {
    return this.sql
      .exec<{ id: string }>(`SELECT t.id FROM task_commands t JOIN commands c ON c.id = t.id WHERE ${OPEN} AND c.deadline <= ?`, now)
      .toArray()
      .map((row) => row.id);
  }

  /** The earliest deadline of an open task command, if any. */
  nextDue(): number | undefined {
    const row = this.sql.exec<{ due: number | null }>(`SELECT min(c.deadline) AS due FROM task_commands t JOIN commands c ON c.id = t.id WHERE ${OPEN}`).one();
    return row.due ?? undefined;
  }
}
