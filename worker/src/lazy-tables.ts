import { migrate, type Schema } from "./sqlite-migrations.js";

/**
 * An object's tables, made by its first authenticated write rather than by its constructor:
 * a request naming a fleet, device or token that does not exist then leaves no storage behind.
 */
export class LazyTables {
  #exist: boolean;

  /** `marker`: a table every created object has, made by the first migration of one of `schemas`. */
  constructor(
    private readonly storage: DurableObjectStorage,
    marker: string,
    private readonly schemas: readonly Schema[],
  ) {
    this.#exist = storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", marker).toArray().length > 0;
  }

  get exist(): boolean {
    return this.#exist;
  }

  /** At start: brings an existing object's tables up to date (migrations); a new object stays empty. */
  migrateIfPresent(): void {
    if (this.#exist) migrate(this.storage, this.schemas);
  }

  /** Before a write: creates the tables the first time. */
  ensure(): void {
    if (this.#exist) return;
    migrate(this.storage, this.schemas);
    this.#exist = true;
  }
}
