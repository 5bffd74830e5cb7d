export type RateLimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Token buckets: `perMinute` tokens per key, refilled continuously (a burst of a minute's worth, then the rate). */
export interface RateLimiter {
  /** Takes one token; says how long to wait when none is left. */
  take(key: string, perMinute: number): Promise<RateLimitVerdict>;
  /** Whether `key` has a token left, without taking one. */
  check(key: string, perMinute: number): Promise<RateLimitVerdict>;
}

interface Bucket {
  tokens: number;
  at: number;
  perMinute: number;
}

/**
 * Token buckets in this process's memory: what PgRateLimiter falls back to while PostgreSQL cannot be reached (each
 * process then limits on its own). Synchronous, unlike the RateLimiter interface. Memory is bounded: buckets that
 * have refilled completely carry no information and are swept once the map grows past `sweepAt`; beyond `maxKeys`
 * the least recently used are dropped.
 */
export class MemoryRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private nextSweep: number;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly sweepAt = 10_000,
    private readonly maxKeys = 100_000,
  ) {
    this.nextSweep = sweepAt;
  }

  /** Takes one token; returns the seconds to wait when none is left. */
  take(key: string, perMinute: number): RateLimitVerdict {
    const bucket = this.refilled(key, perMinute);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: retryAfter(bucket) };
  }

  /** Whether `key` has a token left, without taking it. */
  check(key: string, perMinute: number): RateLimitVerdict {
    const bucket = this.refilled(key, perMinute);
    return bucket.tokens >= 1 ? { allowed: true } : { allowed: false, retryAfterSeconds: retryAfter(bucket) };
  }

  /** How many keys are tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, perMinute: number): Bucket {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: perMinute, at: now, perMinute };
    this.buckets.delete(key);
    if (this.buckets.size >= this.nextSweep) this.sweep(now);
    bucket.tokens = Math.min(perMinute, bucket.tokens + ((now - bucket.at) * perMinute) / 60_000);
    bucket.at = now;
    bucket.perMinute = perMinute;
    // Re-inserted last, so the map's order is least recently used first.
    this.buckets.set(key, bucket);
    return bucket;
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) * bucket.perMinute) / 60_000 >= bucket.perMinute)
        this.buckets.delete(key);
    }
    // Still at the cap: the least recently used quarter goes (its clients start again with full buckets).
    if (this.buckets.size >= this.maxKeys) {
      for (const key of this.buckets.keys()) {
        if (this.buckets.size < this.maxKeys * 0.75) break;
        this.buckets.delete(key);
      }
    }
    // The next sweep waits until the map has grown again by as much as is left: amortised O(1) per call.
    this.nextSweep = Math.min(this.maxKeys, Math.max(this.sweepAt, this.buckets.size * 2));
  }
}

function retryAfter(bucket: Bucket): number {
  return Math.ceil(((1 - bucket.tokens) * 60) / bucket.perMinute);
}
