/**
 * Token buckets by key, in memory: losing them when the object is evicted only
 * makes the limit briefly more lenient.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  /** Takes one token; answers how many seconds to wait when there is none. */
  take(key: string, now: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const bucket = this.refilled(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return this.wait(bucket);
  }

  /**
   * Charges `served` requests already answered (by a cache, afterwards: they may take the bucket below zero, which only
   * makes the wait longer) and answers whether one more may be, without taking it: the cache charges it with the next ones.
   */
  charge(key: string, now: number, served: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const bucket = this.refilled(key, now);
    bucket.tokens -= Math.max(0, served);
    return bucket.tokens >= 1 ? { ok: true } : this.wait(bucket);
  }

  private refilled(key: string, now: number): { tokens: number; at: number } {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    return bucket;
  }

  private wait(bucket: { tokens: number }): { ok: false; retryAfterSeconds: number } {
    return { ok: false, retryAfterSeconds: Math.ceil((1 - bucket.tokens) / this.perSecond) };
  }
}
