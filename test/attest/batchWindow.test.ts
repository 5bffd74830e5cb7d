import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchWindow } from '../../src/attest/batchWindow.js';

describe('BatchWindow', () => {
  it('closes a window at maxSize and answers each item its own result', async () => {
    const runs: number[][] = [];
    const window = new BatchWindow<number, number>(
      async (items) => {
        runs.push(items);
        return items.map((i) => i * 10);
      },
      60_000, // never reached: the window closes at its size
      3,
    );
    assert.deepEqual(
      await Promise.all([1, 2, 3, 4, 5, 6].map((i) => window.add(i))),
      [10, 20, 30, 40, 50, 60],
    );
    assert.deepEqual(runs, [
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('closes a partial window when its time is up', async () => {
    const window = new BatchWindow<number, number>(async (items) => items.map(() => items.length), 0, 100);
    assert.deepEqual(await Promise.all([window.add(1), window.add(2)]), [2, 2]);
  });

  it('a failed run fails every item of that window, and the next window runs afresh', async () => {
    let fail = true;
    const window = new BatchWindow<number, number>(
      async (items) => {
        if (fail) throw new Error('signer down');
        return items;
      },
      0,
      2,
    );
    const results = await Promise.allSettled([window.add(1), window.add(2)]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    fail = false;
    assert.equal(await window.add(3), 3);
  });

  it('refuses with BUSY beyond maxPending items waiting or running', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const window = new BatchWindow<number, number>(
      async (items) => {
        await held;
        return items;
      },
      0,
      2,
      4,
    );
    const accepted = [1, 2, 3, 4].map((i) => window.add(i));
    await assert.rejects(window.add(5), (error: { code?: string }) => error.code === 'BUSY');
    release();
    assert.deepEqual(await Promise.all(accepted), [1, 2, 3, 4]);
    assert.equal(await window.add(6), 6);
  });

  it('a small maxSize still lets a burst wait (as many as the group commit queues) rather than refusing it', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const window = new BatchWindow<number, number>(
      async (items) => {
        await held;
        return items;
      },
      0,
      1,
    );
    const burst = Array.from({ length: 100 }, (_, i) => window.add(i));
    release();
    assert.deepEqual(await Promise.all(burst), [...Array(100).keys()]);
  });
});
