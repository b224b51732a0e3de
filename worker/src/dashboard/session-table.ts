import type { Scope } from "@jetson/protocol";
import type { Schema } from "../sqlite-migrations.js";

export const SESSION_SCHEMA: Schema = {
  name: "dashboard_sessions",
  migrations: [
    `CREATE TABLE IF NOT EXISTS dashboard_sessions (
  hash TEXT PRIMARY KEY, token_id TEXT NOT NULL, scopes TEXT NOT NULL, expires_at INTEGER NOT NULL)`,
  ],
};

export interface DashboardSession {
  /** The API token the person signed in with: the session acts as it, and ends when it is revoked. */
  tokenId: string;
  scopes: Scope[];
  expiresAt: number;
}

/** Sessions one token may hold at once; signing in again ends its oldest. */
export const MAX_SESSIONS_PER_TOKEN = 20;

/** Signed-in dashboard browsers of one fleet, by the SHA-256 of their cookie's secret (never the secret itself). */
export class SessionTable {
  constructor(private readonly sql: SqlStorage) {}

  /** Answers the hashes of the token's sessions this one took the place of, whose pages must be told. */
  insert(hash: string, session: DashboardSession, now: number): string[] {
    this.sql.exec("DELETE FROM dashboard_sessions WHERE expires_at <= ?", now);
    this.sql.exec(
      "INSERT INTO dashboard_sessions (hash, token_id, scopes, expires_at) VALUES (?, ?, ?, ?)",
      hash,
      session.tokenId,
      JSON.stringify(session.scopes),
      session.expiresAt,
    );
    return this.sql
      .exec<{ hash: string }>(
        "DELETE FROM dashboard_sessions WHERE token_id = ? AND rowid NOT IN (SELECT rowid FROM dashboard_sessions WHERE token_id = ? ORDER BY rowid DESC LIMIT ?) RETURNING hash",
        session.tokenId,
        session.tokenId,
        MAX_SESSIONS_PER_TOKEN,
      )
      .toArray()
      .map((row) => row.hash);
  }

  /** The live session with this hash. */
  find(hash: string, now: number): DashboardSession | undefined {
    const row = this.sql
      .exec<{ token_id: string; scopes: string; expires_at: number }>(
        "SELECT token_id, scopes, expires_at FROM dashboard_sessions WHERE hash = ? AND expires_at > ?",
        hash,
        now,
      )
      .toArray()[0];
    return row && { tokenId: row.token_id, scopes: JSON.parse(row.scopes) as Scope[], expiresAt: row.expires_at };
  }

  delete(hash: string): void {
    this.sql.exec("DELETE FROM dashboard_sessions WHERE hash = ?", hash);
  }

  deleteForToken(tokenId: string): void {
    this.sql.exec("DELETE FROM dashboard_sessions WHERE token_id = ?", tokenId);
  }
}
