import type { Schema } from "../sqlite-migrations.js";

export const TASK_SCHEMA: Schema = {
  name: "task_commands",
  migrations: ["CREATE TABLE IF NOT EXISTS task_commands (id TEXT PRIMARY KEY, audit_id INTEGER NOT NULL)"],
};

/**
 * Which ledger commands were started as MCP tasks (what tasks/get answers for), with their audit
 * rows: nobody waits on such a command in memory, so the object completes its audit row when it
 * ends. The ledger keeps each command's audit id as well; this table's serves tasks started before it did.
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
}
