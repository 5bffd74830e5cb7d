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
  return holdingLock(db, key, 'pg_try_advisory_lock', task);
}

/**
 * Runs `task` holding the session-level advisory lock `key`, waiting for it when another process holds it: for work
 * that must happen once and in order across processes (publishing a root), where skipping is not an option.
 */
export async function withAdvisoryLock<T>(db: Database, key: number, task: () => Promise<T>): Promise<T> {
  return (await holdingLock(db, key, 'pg_advisory_lock', task)) as T;
}

async function holdingLock<T>(
  db: Database,
  key: number,
  take: 'pg_try_advisory_lock' | 'pg_advisory_lock',
  task: () => Promise<T>,
): Promise<T | null> {
  const client = await db.pool.connect();
  try {
    // pg_advisory_lock returns void (null here); only pg_try_advisory_lock can say false.
    const { rows } = await client.query<{ locked: boolean | null }>(`SELECT ${take}($1) AS locked`, [key]);
    if (rows[0]!.locked === false) return null;
    try {
      return await task();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    client.release();
  }
}
