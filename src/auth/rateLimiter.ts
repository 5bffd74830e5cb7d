/**
 * Token bucket per API key: `perMinute` tokens, refilled continuously, so a key can burst up to a minute's worth
 * and then sustain its rate. Per process: with N replicas behind a balancer, give each key perMinute / N.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes one token; returns the seconds to wait when none is left. */
  take(key: string, perMinute: number): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: perMinute, at: now };
    bucket.tokens = Math.min(perMinute, bucket.tokens + ((now - bucket.at) * perMinute) / 60_000);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.ceil(((1 - bucket.tokens) * 60) / perMinute) };
  }
}
