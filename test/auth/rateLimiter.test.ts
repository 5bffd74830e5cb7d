import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { PgRateLimiter, type RateLimitVerdict } from '../../src/auth/index.js';
import { freePort } from '../../src/chain/index.js';
import { applyMigrations } from '../../src/db/index.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

/** A pool that counts the statements sent through it: how many round trips the limiter makes. */
function countingPool(url: string): pg.Pool & { statements: number } {
  const pool = Object.assign(new pg.Pool({ connectionString: url, max: 4 }), { statements: 0 });
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  (pool as unknown as { query: unknown }).query = (...args: unknown[]) => {
    pool.statements++;
    return query(...args);
  };
  return pool;
}

const allowedCount = (verdicts: RateLimitVerdict[]) => verdicts.filter((v) => v.allowed).length;

describe('rate limits in PostgreSQL, shared by every replica', () => {
  let postgres: TestPostgres;
  let pools: ReturnType<typeof countingPool>[];
  let replicas: PgRateLimiter[];
  let sql: pg.Client;

  before(async () => {
    postgres = await startTestPostgres();
    await applyMigrations(postgres.url);
    pools = [countingPool(postgres.url), countingPool(postgres.url)];
    replicas = pools.map((pool) => new PgRateLimiter(pool));
    sql = new pg.Client({ connectionString: postgres.url });
    await sql.connect();
  });
  after(async () => {
    for (const limiter of replicas ?? []) limiter.close();
    for (const pool of pools ?? []) await pool.end();
    await sql?.end();
    await postgres?.stop();
  });

  it('two replicas drawing on one key at once give it its limit once, not once each', async () => {
    const startedAt = Date.now();
    const verdicts = await Promise.all(
      Array.from({ length: 200 }, (_, i) => replicas[i % 2]!.take('key:shared', 60)),
    );
    const seconds = (Date.now() - startedAt) / 1000;
    const allowed = allowedCount(verdicts);
    console.log(`# 200 concurrent takes over two replicas, 60/minute: ${allowed} allowed in ${seconds} s`);
    // 60 at once, plus one a second for however long the burst took (a token bucket refills continuously).
    assert.ok(allowed >= 60 && allowed <= 60 + Math.floor(seconds), `${allowed} allowed`);
    for (const verdict of verdicts) {
      if (!verdict.allowed) assert.equal(verdict.retryAfterSeconds, 1, 'a token a second');
    }
  });

  it('a key known to be out is answered without a round trip until its next token is due', async () => {
    const [a] = replicas as [PgRateLimiter, PgRateLimiter];
    for (let i = 0; i < 60; i++) assert.equal((await a.take('key:local', 60)).allowed, true);
    const before = pools[0]!.statements;
    for (let i = 0; i < 100; i++) assert.equal((await a.take('key:local', 60)).allowed, false);
    assert.equal((await a.check('key:local', 60)).allowed, false);
    assert.equal(pools[0]!.statements, before, 'no statement while the key is known to be out');
    // A second later one token has refilled, and only one.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    assert.equal((await a.take('key:local', 60)).allowed, true);
    assert.equal((await a.take('key:local', 60)).allowed, false);
  });

  it('check knows what this replica saw: a key another replica emptied holds here after one take', async () => {
    const [a, b] = replicas as [PgRateLimiter, PgRateLimiter];
    for (let i = 0; i < 5; i++) await b.take('key:elsewhere', 5);
    assert.equal((await b.check('key:elsewhere', 5)).allowed, false);
    assert.equal(
      (await a.check('key:elsewhere', 5)).allowed,
      true,
      'not seen here yet (the stated tolerance)',
    );
    assert.equal((await a.take('key:elsewhere', 5)).allowed, false, 'the shared bucket is empty');
    assert.equal((await a.check('key:elsewhere', 5)).allowed, false);
  });

  it('a key whose rate is raised gets the new rate; lowered, the bucket is capped at once', async () => {
    const [a] = replicas as [PgRateLimiter, PgRateLimiter];
    for (let i = 0; i < 10; i++) await a.take('key:rate', 1_000);
    const lowered = await Promise.all(Array.from({ length: 10 }, () => a.take('key:rate', 3)));
    assert.equal(allowedCount(lowered), 3);
  });

  it('buckets full again are swept, drained ones are kept: the table holds only recent keys', async () => {
    const [a, b] = replicas as [PgRateLimiter, PgRateLimiter];
    await Promise.all(
      Array.from({ length: 1_000 }, (_, i) => a.take(`public:10.0.${i >> 8}.${i & 255}`, 600)),
    );
    for (let i = 0; i < 3; i++) await a.take('key:drained', 3);
    await sql.query(`UPDATE rate_limit_buckets SET refilled_at = refilled_at - interval '61 seconds'
                     WHERE key LIKE 'public:%'`);
    const count = async () =>
      Number((await sql.query('SELECT count(*) AS n FROM rate_limit_buckets')).rows[0].n);
    const before = await count();
    assert.equal(await b.sweep(), 1_000);
    assert.equal(await count(), before - 1_000);
    assert.equal((await a.take('key:drained', 3)).allowed, false, 'sweeping forgives no one');
  });

  it('with PostgreSQL unreachable each process limits on its own, and says so once', async () => {
    const nowhere = new pg.Pool({
      connectionString: `postgresql://custos:x@127.0.0.1:${await freePort()}/custos`,
      connectionTimeoutMillis: 1_000,
    });
    const told: unknown[] = [];
    const limiter = new PgRateLimiter(nowhere, { onDegraded: (error) => told.push(error) });
    try {
      const verdicts = [];
      for (let i = 0; i < 12; i++) verdicts.push(await limiter.take('key:offline', 10));
      assert.equal(allowedCount(verdicts), 10);
      assert.equal((await limiter.check('key:offline', 10)).allowed, false);
      assert.equal(told.length, 1);
    } finally {
      limiter.close();
      await nowhere.end();
    }
  });
});
