import type { Schema } from "../sqlite-migrations.js";

export const SPENT_CONFIRMATIONS_SCHEMA: Schema = {
  name: "spent_confirmations",
  migrations: ["CREATE TABLE IF NOT EXISTS spent_confirmations (nonce TEXT PRIMARY KEY, until INTEGER NOT NULL)"],
};

/**
 * The user's confirmations that have been used. A confirmation's signed request state is good for
 * minutes; kept here until then, each runs its call once, however often a client sends it back.
 */
export class SpentConfirmations {
  constructor(private readonly sql: SqlStorage) {}

  /** Uses a confirmation up (kept until `until`, when its state has expired anyway); false when it was used before. */
  spend(nonce: string, until: number, now: number): boolean {
    this.sql.exec("DELETE FROM spent_confirmations WHERE until < ?", now);
    return this.sql.exec("INSERT INTO spent_confirmations (nonce, until) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING", nonce, until).rowsWritten > 0;
  }
}
