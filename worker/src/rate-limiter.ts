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

  /** Takes up to `want` tokens (at least one); answers how many seconds to wait when there is none. */
  take(key: string, now: number, want = 1): { ok: true; granted: number } | { ok: false; retryAfterSeconds: number } {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      const granted = Math.max(1, Math.min(Math.floor(want), Math.floor(bucket.tokens)));
      bucket.tokens -= granted;
      return { ok: true, granted };
    }
    return { ok: false, retryAfterSeconds: Math.ceil((1 - bucket.tokens) / this.perSecond) };
  }
}
