import type { TimedSample } from "@jetson/protocol";

export interface BufferOptions {
  /** Samples this close to the newest one keep full resolution. */
  fullResolutionMs: number;
  /** Older samples are thinned to the first one of each interval of this length. */
  thinnedIntervalMs: number;
  /** Hard bound: beyond it the oldest samples go. */
  maxSamples: number;
}

/**
 * The samples not yet acknowledged by the broker, oldest first. It always holds the queue, online
 * or not: while the link is down it grows, keeping recent samples at full resolution and thinning
 * older ones to one per `thinnedIntervalMs`, within `maxSamples`. A batch leaves only when
 * `remove` is called with it, once the broker acknowledged it.
 */
export class TelemetryBuffer {
  private samples: TimedSample[] = [];
  // samples[0, thinnedUpTo) are already at reduced resolution.
  private thinnedUpTo = 0;
  private dropped = 0;

  constructor(private readonly options: BufferOptions) {}

  get size(): number {
    return this.samples.length;
  }

  /** Samples given up to the bound (not thinning) since the buffer was made. */
  get droppedCount(): number {
    return this.dropped;
  }

  add(sample: TimedSample): void {
    const { samples } = this;
    // A clock stepped back (NTP) puts a sample in its place rather than out of order.
    let at = samples.length;
    while (at > 0 && (samples[at - 1]?.t ?? 0) > sample.t) at--;
    samples.splice(at, 0, sample);
    if (at < this.thinnedUpTo) this.thinnedUpTo = at;
    this.thin();
    const excess = samples.length - this.options.maxSamples;
    if (excess > 0) {
      samples.splice(0, excess);
      this.thinnedUpTo = Math.max(0, this.thinnedUpTo - excess);
      this.dropped += excess;
    }
  }

  /** The oldest samples, as many as fit in `maxSamples` and `maxBytes` of JSON (at least one). */
  nextBatch(maxSamples: number, maxBytes: number): TimedSample[] {
    const batch: TimedSample[] = [];
    // {"samples":[...]} with a comma between samples.
    let bytes = 14;
    for (const sample of this.samples) {
      const size = Buffer.byteLength(JSON.stringify(sample)) + 1;
      if (batch.length >= maxSamples || (batch.length > 0 && bytes + size > maxBytes)) break;
      batch.push(sample);
      bytes += size;
    }
    return batch;
  }

  /** Removes a batch the broker answered; those of its samples thinned or dropped in flight are gone already. */
  remove(batch: readonly TimedSample[]): void {
    const sent = new Set(batch);
    const thinnedSent = this.samples.slice(0, this.thinnedUpTo).filter((s) => sent.has(s)).length;
    this.samples = this.samples.filter((s) => !sent.has(s));
    this.thinnedUpTo -= thinnedSent;
  }

  // Keeps the first sample of each thinning interval among those older than the full-resolution window.
  private thin(): void {
    const { samples } = this;
    const newest = samples.at(-1);
    if (!newest) return;
    const cutoff = newest.t - this.options.fullResolutionMs;
    const interval = this.options.thinnedIntervalMs;
    let keep = this.thinnedUpTo;
    let read = this.thinnedUpTo;
    let lastBucket = keep > 0 ? Math.floor((samples[keep - 1] as TimedSample).t / interval) : undefined;
    for (; read < samples.length && (samples[read] as TimedSample).t < cutoff; read++) {
      const sample = samples[read] as TimedSample;
      const bucket = Math.floor(sample.t / interval);
      if (bucket === lastBucket) continue;
      samples[keep++] = sample;
      lastBucket = bucket;
    }
    if (read > keep) samples.splice(keep, read - keep);
    this.thinnedUpTo = keep;
  }
}
