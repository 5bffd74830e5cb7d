import type { Database } from './client.js';

/**
 * Runs `task` only if this process can take the session-level advisory lock `key` at once (another process
 * holding it means the work is being done there); null when it could not. The lock is released afterwards, and
 * with the connection if the process dies.
 */
export async function withTryAdvisoryLock<T>(
  db: Database,
  key: number,
  task: () => Promise<T>,
): Promise<T | null> {
  const client = await db.pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
      key,
    ]);
    if (!rows[0]!.locked) return null;
    try {
      return await task();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    client.release();
  }
}
