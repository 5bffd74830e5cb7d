import type pg from 'pg';
import { CustosError, isUnreachable } from '../errors/index.js';

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit. Items that arrive while a commit is under way are written together in the next transaction, so N
 * concurrent issuances cost one commit (one fsync) instead of N commits serialised behind the audit-chain lock.
 * `add` resolves only after the transaction holding its item has committed: durability per item is unchanged.
 * A batch that fails for any reason but an unreachable database is retried item by item, so one bad item never
 * fails the others. At most `maxQueued` items wait: beyond that (a slow or stuck database) `add` fails at once with
 * 503 BUSY, so back-pressure reaches the callers instead of memory growing without bound.
 */
export class GroupCommit<T> {
  private readonly queue: Pending<T>[] = [];
  private flushing = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly write: (client: pg.PoolClient, items: T[]) => Promise<void>,
    private readonly maxBatch = 256,
    private readonly maxQueued = 4096,
  ) {}

  add(item: T): Promise<void> {
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(
        new CustosError(
          'BUSY',
          `${this.maxQueued} writes are already waiting for the database; retry shortly`,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) await this.commit(this.queue.splice(0, this.maxBatch));
    } finally {
      this.flushing = false;
    }
  }

  private async commit(batch: Pending<T>[]): Promise<void> {
    try {
      await this.transaction(batch.map((p) => p.item));
    } catch (error) {
      if (batch.length === 1 || isUnreachable(error)) {
        for (const pending of batch) pending.reject(error);
        return;
      }
      for (const pending of batch) await this.commit([pending]);
      return;
    }
    for (const pending of batch) pending.resolve();
  }

  private async transaction(items: T[]): Promise<void> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await this.write(client, items);
      await client.query('COMMIT');
    } catch (error) {
      broken = error as Error;
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      // A client whose connection failed is discarded rather than returned to the pool.
      client.release(broken && isUnreachable(broken) ? broken : undefined);
    }
  }
}
