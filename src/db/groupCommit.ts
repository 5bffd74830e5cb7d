import type pg from 'pg';
import { CustosError, isUnreachable } from '../errors/index.js';

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Batching for one round trip per batch: items that arrive while a batch is under way are handled together in the
 * next one, so N concurrent callers cost one statement (or one commit) instead of N. `add` resolves with the item's
 * own result once its batch is done. A batch that fails for any reason but an unreachable database is retried item
 * by item, so one bad item never fails the others. At most `maxQueued` items wait: beyond that (a slow or stuck
 * database) `add` fails at once with 503 BUSY, so back-pressure reaches the callers instead of memory growing
 * without bound.
 */
export class Batcher<T, R> {
  private readonly queue: Pending<T, R>[] = [];
  private running = false;

  /** `run` answers one result per item, in order. */
  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly maxBatch = 256,
    private readonly maxQueued = 4096,
  ) {}

  add(item: T): Promise<R> {
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(
        new CustosError(
          'BUSY',
          `${this.maxQueued} requests are already waiting for the database; retry shortly`,
        ),
      );
    }
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) await this.process(this.queue.splice(0, this.maxBatch));
    } finally {
      this.running = false;
    }
  }

  private async process(batch: Pending<T, R>[]): Promise<void> {
    let results: R[];
    try {
      results = await this.run(batch.map((p) => p.item));
    } catch (error) {
      if (batch.length === 1 || isUnreachable(error)) {
        for (const pending of batch) pending.reject(error);
        return;
      }
      for (const pending of batch) await this.process([pending]);
      return;
    }
    batch.forEach((pending, i) => pending.resolve(results[i]!));
  }
}

/**
 * Group commit: a {@link Batcher} whose batches are transactions, so N concurrent issuances cost one commit (one
 * fsync) instead of N commits serialised behind the audit-chain lock. `add` resolves only after the transaction
 * holding its item has committed: durability per item is unchanged.
 */
export class GroupCommit<T> {
  private readonly batcher: Batcher<T, void>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly write: (client: pg.PoolClient, items: T[]) => Promise<void>,
    maxBatch = 256,
    maxQueued = 4096,
  ) {
    this.batcher = new Batcher<T, void>(
      async (items) => {
        await this.transaction(items);
        return items.map(() => undefined);
      },
      maxBatch,
      maxQueued,
    );
  }

  add(item: T): Promise<void> {
    return this.batcher.add(item);
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
