import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/index.js';

export interface RecurringJob {
  /** The pg-boss queue name; one queue per job. */
  name: string;
  intervalSeconds: number;
  /** A run still active after this long is given up (its process died): the next run may start. */
  expireInSeconds: number;
  run(): Promise<void>;
}

/**
 * Recurring background work (audit anchoring, chain indexing) on pg-boss, in the service's own PostgreSQL. Each
 * job's queue is `stately`: across every replica at most one run is active and one waits, so two processes never
 * anchor or index at once. A run first queues its successor, so the loop outlives a process that dies mid-run; the
 * successor starts once the dead run expires.
 */
export class BackgroundJobs {
  private constructor(
    private readonly boss: PgBoss,
    private readonly logger: Logger,
  ) {}

  static async start(db: Database, logger: Logger): Promise<BackgroundJobs> {
    const boss = new PgBoss({
      db: { executeSql: (text, values) => db.pool.query(text, values) },
      schema: 'pgboss',
      // One run every few seconds per job: keep a day of history, not pg-boss's default week.
      archiveCompletedAfterSeconds: 3600,
      deleteAfterDays: 1,
    });
    boss.on('error', (error) => logger.warn({ err: error }, 'background job queue error'));
    await boss.start();
    return new BackgroundJobs(boss, logger);
  }

  async every(job: RecurringJob): Promise<void> {
    await this.boss.createQueue(job.name, {
      name: job.name,
      policy: 'stately',
      retryLimit: 0,
      expireInSeconds: job.expireInSeconds,
    });
    const pollingIntervalSeconds = Math.min(Math.max(job.intervalSeconds / 2, 0.5), 5);
    await this.boss.work(job.name, { pollingIntervalSeconds }, async () => {
      await this.boss.sendAfter(job.name, {}, {}, job.intervalSeconds);
      try {
        await job.run();
      } catch (error) {
        this.logger.warn(
          { err: error, job: job.name },
          `${job.name} failed; it runs again in ${job.intervalSeconds} s`,
        );
        throw error;
      }
    });
    await this.boss.send(job.name, {});
  }

  /** Stops taking runs and waits (up to 30 s) for the ones under way. */
  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 30_000 });
  }
}
