import type { Database } from './client.js';

/**
 * Waiters in this process, per lock key: only the head of each queue holds a pool connection while it waits for the
 * PostgreSQL lock. Without this, N concurrent callers would hold N pooled connections waiting, and a holder that
 * needs a second connection for its task would starve (the pool is small).
 */
const localQueues = new Map<number, Promise<unknown>>();

async function inLocalOrder<T>(key: number, task: () => Promise<T>): Promise<T> {
  const before = localQueues.get(key) ?? Promise.resolve();
  const mine = before.then(task, task);
  const tail = mine.catch(() => undefined);
  localQueues.set(key, tail);
  try {
    return await mine;
  } finally {
    if (localQueues.get(key) === tail) localQueues.delete(key);
  }
}

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
 * that must happen once and in order across processes (publishing a root), where skipping is not an option. Callers
 * in this process queue in memory first, so waiting costs one pooled connection per process, not one per caller.
 */
export async function withAdvisoryLock<T>(db: Database, key: number, task: () => Promise<T>): Promise<T> {
  return inLocalOrder(key, async () => (await holdingLock(db, key, 'pg_advisory_lock', task)) as T);
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
