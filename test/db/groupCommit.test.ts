import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  GroupCommit,
  applyMigrations,
  closeDatabase,
  createDatabase,
  type Database,
} from '../../src/db/index.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

describe('GroupCommit', () => {
  let postgres: TestPostgres;
  let db: Database;

  before(async () => {
    postgres = await startTestPostgres();
    await applyMigrations(postgres.url);
    db = createDatabase(postgres.url, 4);
    await db.pool.query('CREATE TABLE group_commit_test (id integer PRIMARY KEY)');
  });
  after(async () => {
    if (db) await closeDatabase(db);
    await postgres?.stop();
  });

  const writer = (batches: number[][]) => async (client: import('pg').PoolClient, ids: number[]) => {
    batches.push(ids);
    for (const id of ids) await client.query('INSERT INTO group_commit_test (id) VALUES ($1)', [id]);
  };

  it('writes concurrent items in shared transactions, each resolving only once committed', async () => {
    const batches: number[][] = [];
    const log = new GroupCommit(db.pool, writer(batches));
    const ids = Array.from({ length: 50 }, (_, i) => i + 1);
    await Promise.all(
      ids.map(async (id) => {
        await log.add(id);
        // Visible from another connection the moment add() resolves: committed, not just written.
        const { rowCount } = await db.pool.query('SELECT 1 FROM group_commit_test WHERE id = $1', [id]);
        assert.equal(rowCount, 1);
      }),
    );
    assert.ok(batches.length < ids.length, `50 items took ${batches.length} commits`);
    assert.deepEqual(
      batches.flat().sort((a, b) => a - b),
      ids,
    );
  });

  it('a failing item fails alone: the rest of its batch is retried and committed', async () => {
    const log = new GroupCommit(db.pool, writer([]));
    const results = await Promise.allSettled([101, 102, 1 /* duplicate key */, 103].map((id) => log.add(id)));
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
    );
    const { rows } = await db.pool.query('SELECT id FROM group_commit_test WHERE id > 100 ORDER BY id');
    assert.deepEqual(
      rows.map((r) => r.id),
      [101, 102, 103],
    );
  });

  it('a stuck database turns into 503 BUSY beyond the queue bound, not unbounded memory', async () => {
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const log = new GroupCommit(
      db.pool,
      async (client, ids: number[]) => {
        await stuck;
        for (const id of ids) await client.query('INSERT INTO group_commit_test (id) VALUES ($1)', [id]);
      },
      256,
      10,
    );
    const first = log.add(201); // taken by the (stuck) commit
    await new Promise((resolve) => setImmediate(resolve));
    const waiting = Array.from({ length: 15 }, (_, i) => log.add(202 + i));
    const settled = Promise.allSettled(waiting);
    release();
    const results = await settled;
    await first;
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 10);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(refused.length, 5);
    assert.ok(refused.every((r) => (r.reason as { code?: string }).code === 'BUSY'));
  });
});
