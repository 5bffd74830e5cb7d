import type pg from 'pg';
import { isUnreachable } from '../errors/index.js';
import { MemoryRateLimiter, type RateLimiter, type RateLimitVerdict } from './rateLimiter.js';

/** The bucket's tokens after refilling since its last take ($2 per minute, at most $2), by the database's clock. */
const AVAILABLE =
  'LEAST($2::float8, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM now() - b.refilled_at))::float8 * $2::float8 / 60)';

/**
 * One atomic statement per take: a new bucket starts full less this token; an existing one is refilled and gives a
 * token if it has one. Concurrent takes on one key queue on its row, so every replica draws from the same bucket.
 * `refilled_at` never goes back (a statement that started earlier may reach the row later).
 */
const TAKE = `
  INSERT INTO rate_limit_buckets AS b (key, tokens, granted, refilled_at)
  VALUES ($1, $2::float8 - 1, true, now())
  ON CONFLICT (key) DO UPDATE SET
    tokens = CASE WHEN ${AVAILABLE} >= 1 THEN ${AVAILABLE} - 1 ELSE ${AVAILABLE} END,
    granted = ${AVAILABLE} >= 1,
    refilled_at = GREATEST(b.refilled_at, now())
  RETURNING tokens, granted`;

/** A bucket untouched for a minute has refilled completely: it is the same as no row. */
const SWEEP = `DELETE FROM rate_limit_buckets WHERE refilled_at < now() - interval '1 minute'`;

export interface PgRateLimiterOptions {
  /** Told when PostgreSQL becomes unreachable and limits fall back to this process (once per outage). */
  onDegraded?: (error: unknown) => void;
  /** How long limits stay local after the database could not be reached, before it is tried again. */
  degradedMs?: number;
  sweepEveryMs?: number;
  /** Most exhausted keys remembered locally. */
  maxRemembered?: number;
}

/**
 * Rate limits every replica shares: token buckets in PostgreSQL (`rate_limit_buckets`), one round trip per take.
 *
 * - A take is exact across replicas: it is one UPSERT on the key's row.
 * - A key this process saw run out is answered here, without a round trip, until its next token is due: no replica
 *   can add tokens sooner (only time refills), so the answer is the database's. Clients over their limit cost
 *   nothing.
 * - `check` answers from that local knowledge only (never a round trip; it guards every request). It can miss a
 *   bucket another replica emptied until this process's next take on the key, so a limit enforced with check (the
 *   failed-authentication throttle) admits at most one more request per replica before it holds.
 * - While PostgreSQL is unreachable, each process limits on its own (MemoryRateLimiter), for `degradedMs` at a
 *   time, rather than refusing everything: with N replicas a key then gets up to N times its rate.
 */
export class PgRateLimiter implements RateLimiter {
  /** Keys known to be out of tokens: when the next one is due (this process's clock, ms). */
  private readonly exhausted = new Map<string, number>();
  private readonly fallback = new MemoryRateLimiter();
  private readonly sweeper: NodeJS.Timeout;
  private degradedUntil = 0;
  private degraded = false;
  private readonly degradedMs: number;
  private readonly maxRemembered: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: PgRateLimiterOptions = {},
  ) {
    this.degradedMs = options.degradedMs ?? 5_000;
    this.maxRemembered = options.maxRemembered ?? 100_000;
    this.sweeper = setInterval(
      () => void this.sweep().catch(() => undefined),
      options.sweepEveryMs ?? 60_000,
    );
    this.sweeper.unref();
  }

  async take(key: string, perMinute: number): Promise<RateLimitVerdict> {
    const known = this.knownExhausted(key);
    if (known) return known;
    if (Date.now() < this.degradedUntil) return this.fallback.take(key, perMinute);
    let row: { tokens: number; granted: boolean };
    try {
      const result = await this.pool.query<{ tokens: number; granted: boolean }>({
        name: 'rate-limit-take',
        text: TAKE,
        values: [key, perMinute],
      });
      row = result.rows[0]!;
      this.degraded = false;
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      this.degrade(error);
      return this.fallback.take(key, perMinute);
    }
    const waitMs = row.tokens < 1 ? ((1 - row.tokens) * 60_000) / perMinute : 0;
    if (waitMs > 0) this.remember(key, Date.now() + waitMs);
    return row.granted ? { allowed: true } : denied(waitMs);
  }

  async check(key: string, perMinute: number): Promise<RateLimitVerdict> {
    const known = this.knownExhausted(key);
    if (known) return known;
    if (Date.now() < this.degradedUntil) return this.fallback.check(key, perMinute);
    return { allowed: true };
  }

  /** Deletes the buckets that are full again; every replica runs it every minute (deleting twice is harmless). */
  async sweep(): Promise<number> {
    const now = Date.now();
    for (const [key, due] of this.exhausted) if (due <= now) this.exhausted.delete(key);
    return (await this.pool.query(SWEEP)).rowCount ?? 0;
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private knownExhausted(key: string): RateLimitVerdict | undefined {
    const due = this.exhausted.get(key);
    if (due === undefined) return undefined;
    const waitMs = due - Date.now();
    if (waitMs > 0) return denied(waitMs);
    this.exhausted.delete(key);
    return undefined;
  }

  private remember(key: string, due: number): void {
    this.exhausted.delete(key);
    // At the cap the oldest entries go: forgetting one only costs a round trip, the database still says no.
    if (this.exhausted.size >= this.maxRemembered) {
      for (const oldest of this.exhausted.keys()) {
        if (this.exhausted.size < this.maxRemembered * 0.75) break;
        this.exhausted.delete(oldest);
      }
    }
    this.exhausted.set(key, due);
  }

  private degrade(error: unknown): void {
    if (!this.degraded) this.options.onDegraded?.(error);
    this.degraded = true;
    this.degradedUntil = Date.now() + this.degradedMs;
  }
}

function denied(waitMs: number): RateLimitVerdict {
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}
