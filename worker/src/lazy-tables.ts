/**
 * An object's tables, made by its first authenticated write rather than by its constructor:
 * a request naming a fleet, device or token that does not exist then leaves no storage behind.
 */
export class LazyTables {
  #exist: boolean;

  /** `marker`: a table every created object has. `create` makes the tables and runs migrations; it must be repeatable. */
  constructor(
    sql: SqlStorage,
    marker: string,
    private readonly create: () => void,
  ) {
    this.#exist = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", marker).toArray().length > 0;
  }

  get exist(): boolean {
    return this.#exist;
  }

  /** At start: brings an existing object's tables up to date (migrations); a new object stays empty. */
  migrateIfPresent(): void {
    if (this.#exist) this.create();
  }

  /** Before a write: creates the tables the first time. */
  ensure(): void {
    if (this.#exist) return;
    this.create();
    this.#exist = true;
  }
}
