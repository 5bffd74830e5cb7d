import type pg from 'pg';
import type { Database } from './client.js';

/** Runs `task` in a transaction on one pooled connection; commits when it resolves, rolls back when it throws. */
export async function inTransaction<T>(
  db: Database,
  task: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    const result = await task(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
