import type { ApiToken, Scope } from "@jetson/protocol";
import type { Schema } from "../sqlite-migrations.js";

export const TOKEN_SCHEMA: Schema = {
  name: "api_tokens",
  migrations: [
    `CREATE TABLE IF NOT EXISTS api_tokens (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, scopes TEXT NOT NULL,
  created_at INTEGER NOT NULL, revoked_at INTEGER)`,
  ],
};

/** What revoking a token did: the fleet's last live admin token is kept, or nobody could administer the fleet again. */
export type TokenRevocation = "revoked" | "not_found" | "last_admin";

const ADMIN: Scope = "admin";

/** A fleet's API tokens, stored only as hashes. */
export class TokenTable {
  constructor(private readonly sql: SqlStorage) {}

  insert(id: string, name: string, hash: string, scopes: readonly Scope[], now: number): ApiToken {
    this.sql.exec(
      "INSERT INTO api_tokens (id, name, hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)",
      id,
      name,
      hash,
      JSON.stringify(scopes),
      now,
    );
    return { id, name, scopes: [...scopes], createdAt: now };
  }

  /** No token was ever created here: the fleet does not exist yet. */
  empty(): boolean {
    return this.sql.exec("SELECT 1 FROM api_tokens LIMIT 1").toArray().length === 0;
  }

  list(): ApiToken[] {
    return this.sql
      .exec<{ id: string; name: string; scopes: string; created_at: number; revoked_at: number | null }>(
        "SELECT id, name, scopes, created_at, revoked_at FROM api_tokens ORDER BY created_at",
      )
      .toArray()
      .map((row) => ({
        id: row.id,
        name: row.name,
        scopes: JSON.parse(row.scopes) as Scope[],
        createdAt: row.created_at,
        revokedAt: row.revoked_at ?? undefined,
      }));
  }

  revoke(id: string, now: number): TokenRevocation {
    const live = this.sql.exec<{ scopes: string }>("SELECT scopes FROM api_tokens WHERE id = ? AND revoked_at IS NULL", id).toArray()[0];
    if (!live) return "not_found";
    const admins = this.sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM api_tokens WHERE revoked_at IS NULL AND EXISTS (SELECT 1 FROM json_each(scopes) WHERE value = ?)", ADMIN)
      .one().n;
    if (admins === 1 && (JSON.parse(live.scopes) as Scope[]).includes(ADMIN)) return "last_admin";
    this.sql.exec("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", now, id);
    return "revoked";
  }

  /** Those of these ids that name a live token. */
  live(ids: readonly string[]): string[] {
    return this.sql
      .exec<{ id: string }>("SELECT id FROM api_tokens WHERE revoked_at IS NULL AND id IN (SELECT value FROM json_each(?))", JSON.stringify(ids))
      .toArray()
      .map((row) => row.id);
  }

  /** The live token with this hash. */
  find(hash: string): { id: string; scopes: Scope[] } | undefined {
    const row = this.sql
      .exec<{ id: string; scopes: string }>("SELECT id, scopes FROM api_tokens WHERE hash = ? AND revoked_at IS NULL", hash)
      .toArray()[0];
    return row ? { id: row.id, scopes: JSON.parse(row.scopes) as Scope[] } : undefined;
  }
}
