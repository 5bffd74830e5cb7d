import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { writeWithBackPressure } from '../../src/api/stream.js';
import { MemoryRateLimiter } from '../../src/auth/index.js';
import { loadEnv } from '../../src/config/index.js';

describe('bounded memory', () => {
  it('the rate limiter forgets refilled buckets and caps how many it keeps', () => {
    let now = 0;
    const limiter = new MemoryRateLimiter(() => now, 1_000, 5_000);
    for (let i = 0; i < 20_000; i++) limiter.take(`ip:${i}`, 60);
    assert.ok(limiter.size <= 5_001, `${limiter.size} buckets after 20,000 distinct keys`);
    now += 60_000; // a minute later every bucket has refilled and carries no information
    limiter.take('ip:fresh', 60);
    for (let i = 0; i < 1_000; i++) limiter.take(`later:${i}`, 60);
    assert.ok(limiter.size <= 1_001, `${limiter.size} buckets once the old ones refilled`);
    // A drained bucket is remembered: sweeping never forgives a client that is over its limit.
    for (let i = 0; i < 60; i++) limiter.take('busy', 60);
    for (let i = 0; i < 2_000; i++) limiter.take(`more:${i}`, 60);
    assert.equal(limiter.take('busy', 60).allowed, false);
  });

  it('an export stops when its client goes away instead of waiting for a drain that never comes', async () => {
    const stuck = new Writable({ highWaterMark: 1, write: () => {} }); // never calls back: never drains
    const waiting = writeWithBackPressure(stuck, 'more than one byte');
    setImmediate(() => stuck.destroy()); // the client disconnects
    assert.equal(await waiting, false);
    assert.equal(await writeWithBackPressure(stuck, 'after close'), false);
    const open = new PassThrough();
    assert.equal(await writeWithBackPressure(open, 'fine'), true);
  });

  it('anchor batches are capped, so an inclusion proof is computed over at most 4,096 leaves', () => {
    assert.throws(
      () => loadEnv({ AUDIT_ANCHOR_MAX_BATCH: '100000' }),
      /AUDIT_ANCHOR_MAX_BATCH must be at most 4096/,
    );
    assert.equal(loadEnv({ AUDIT_ANCHOR_MAX_BATCH: '4096' }).AUDIT_ANCHOR_MAX_BATCH, 4096);
  });
});
