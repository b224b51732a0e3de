/**
 * Versioned SQLite schemas for Durable Objects. Each store declares its schema as an ordered list
 * of migrations; an object records, per schema, how many have run, and runs only those above it.
 * A released migration is never edited: a change to the tables is a new step at the end, so an
 * object written by any earlier release reaches today's tables with its rows.
 */

/** SQL run as is, or a function for a change SQL cannot make conditional (a column added only where missing). */
export type Migration = string | ((sql: SqlStorage) => void);

export interface Schema {
  /** Stable forever: the key of the schema's recorded version. */
  readonly name: string;
  readonly migrations: readonly Migration[];
}

/** A migration that threw: which schema, which step (1-based), and why. Its step left nothing behind. */
export class MigrationError extends Error {
  constructor(
    readonly schema: string,
    readonly step: number,
    cause: unknown,
  ) {
    super(`schema "${schema}" migration ${step} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "MigrationError";
  }
}

// A table rather than PRAGMA user_version: one object holds several schemas, each with its own version.
const VERSIONS = "CREATE TABLE IF NOT EXISTS _migrations (schema TEXT PRIMARY KEY, version INTEGER NOT NULL)";
const RECORD = "INSERT INTO _migrations (schema, version) VALUES (?, ?) ON CONFLICT (schema) DO UPDATE SET version = excluded.version";

/** The number of `schema`'s migrations this object has run (0 before the first). */
export function schemaVersion(sql: SqlStorage, schema: string): number {
  const known = sql.exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '_migrations'").one().n > 0;
  if (!known) return 0;
  return sql.exec<{ version: number }>("SELECT version FROM _migrations WHERE schema = ?", schema).toArray()[0]?.version ?? 0;
}

/**
 * Runs each schema's migrations above its recorded version, in order. Each step and its version
 * are one transaction: a failing step is rolled back and throws MigrationError, the steps before it
 * stay done, and the next start tries it again. A version above the list (an object a newer release
 * wrote, then rolled back) runs nothing: steps only add, so the older code still finds its tables.
 */
export function migrate(storage: DurableObjectStorage, schemas: readonly Schema[]): void {
  const sql = storage.sql;
  sql.exec(VERSIONS);
  for (const schema of schemas) {
    const done = schemaVersion(sql, schema.name);
    schema.migrations.slice(done).forEach((migration, i) => {
      const step = done + i + 1;
      try {
        storage.transactionSync(() => {
          if (typeof migration === "string") sql.exec(migration);
          else migration(sql);
          sql.exec(RECORD, schema.name, step);
        });
      } catch (error) {
        throw new MigrationError(schema.name, step, error);
      }
    });
  }
}
