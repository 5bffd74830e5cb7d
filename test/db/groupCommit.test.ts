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
});
