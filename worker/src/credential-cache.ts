import type { Scope } from "@jetson/protocol";
import type { TokenCheck } from "./registry/registry-object.js";

/** How long an isolate trusts a registry's yes: a token or session revoked in another isolate is refused everywhere within this time. */
export const CREDENTIAL_TTL_MS = 5_000;

/**
 * Requests an isolate answers per registry check at most. The registry charges a token's rate limit for those the cache
 * answered at the next check, so a token can outrun its limit by at most this many requests per isolate before it is refused.
 */
export const REQUESTS_PER_CHECK = 20;

/** Entries one isolate keeps; past this the least recently used goes. */
export const MAX_CACHED_CREDENTIALS = 10_000;

type Refusal = Extract<TokenCheck, { ok: false }>;
export type CachedCheck = { ok: true; id: string; scopes: Scope[] } | Refusal;
/** An OAuth grant's entry holds only its rate: the provider checks the grant's tokens itself. */
export type CredentialKind = "token" | "session" | "grant";

interface Entry {
  fleet: string;
  id: string;
  scopes: Scope[];
  /** Requests answered from here since the registry's check, which the next check charges. */
  served: number;
  expiresAt: number;
}

/**
 * The registry's positive answers for API tokens and dashboard sessions, by the hash of the secret (never the secret),
 * so a busy token costs its fleet's registry one call per REQUESTS_PER_CHECK requests or CREDENTIAL_TTL_MS, not one per request.
 * Refusals are never kept: an unknown, revoked or rate-limited credential asks the registry again every time.
 */
export class CredentialCache {
  private readonly entries = new Map<string, Entry>();
  /** One registry check at a time per credential: concurrent requests share its answer. */
  private readonly pending = new Map<string, Promise<Refusal | undefined>>();

  constructor(
    private readonly capacity = MAX_CACHED_CREDENTIALS,
    private readonly ttlMs = CREDENTIAL_TTL_MS,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * Answers from the cache, or asks `lookup` (the registry) to check the credential and charge the `served` requests answered since its last check.
   * `fresh` always asks: for what outlives the request (a dashboard session, an OAuth grant), a 5 s old yes is not enough.
   */
  async check(kind: CredentialKind, fleet: string, hash: string, lookup: (served: number) => Promise<TokenCheck>, fresh = false): Promise<CachedCheck> {
    const key = `${kind}:${fleet}:${hash}`;
    const entry = this.entries.get(key);
    // Expired rather than dropped: the next check still charges what it served.
    if (fresh && entry) entry.expiresAt = 0;
    for (;;) {
      const cached = this.take(key, Date.now());
      if (cached) return cached;
      let pending = this.pending.get(key);
      if (!pending) {
        pending = this.load(key, fleet, lookup).finally(() => this.pending.delete(key));
        this.pending.set(key, pending);
      }
      const refusal = await pending;
      if (refusal) return refusal;
    }
  }

  /** A session signed out in this isolate ends here at once. */
  forget(kind: CredentialKind, fleet: string, hash: string): void {
    this.entries.delete(`${kind}:${fleet}:${hash}`);
  }

  /** A token revoked in this isolate ends here at once, with the sessions opened with it. */
  forgetToken(fleet: string, tokenId: string): void {
    for (const [key, entry] of this.entries) {
      if (entry.fleet === fleet && entry.id === tokenId) this.entries.delete(key);
    }
  }

  private take(key: string, now: number): CachedCheck | undefined {
    const entry = this.entries.get(key);
    if (!entry || now >= entry.expiresAt || entry.served >= REQUESTS_PER_CHECK) return undefined;
    entry.served += 1;
    // Re-inserting moves it to the end: the Map's first key is then the least recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return { ok: true, id: entry.id, scopes: entry.scopes };
  }

  /** An expired entry stays until its replacement's check, so the requests it served are charged then. */
  private async load(key: string, fleet: string, lookup: (served: number) => Promise<TokenCheck>): Promise<Refusal | undefined> {
    const check = await lookup(this.entries.get(key)?.served ?? 0);
    this.entries.delete(key);
    if (!check.ok) return check;
    this.entries.set(key, { fleet, id: check.id, scopes: check.scopes, served: 0, expiresAt: Date.now() + this.ttlMs });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
    }
    return undefined;
  }
}

/** This isolate's cache: every request it serves shares it. */
export const credentialCache = new CredentialCache();
