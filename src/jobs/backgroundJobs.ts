import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/index.js';

export interface RecurringJob {
  /** The pg-boss queue name; one queue per job. */
  name: string;
  intervalSeconds: number;
  /** A run still active after this long is given up (its process died). */
  expireInSeconds: number;
  /** Must be safe to run from two processes at once (the tasks take a PostgreSQL advisory lock). */
  run(): Promise<void>;
}

/**
 * Recurring background work (audit anchoring, chain indexing) on pg-boss, in the service's own PostgreSQL. Every
 * process offers one run per interval with a pg-boss throttle (`singletonSeconds`), so the cluster queues at most
 * one run per interval slot, and any live process keeps the schedule going: nothing depends on a run finishing, so
 * a run lost with a process or a database outage only costs its own slot. Runs take an advisory lock, so two never
 * do the same work at once.
 */
export class BackgroundJobs {
  private readonly timers: NodeJS.Timeout[] = [];

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
      retryLimit: 0,
      expireInSeconds: job.expireInSeconds,
    });
    const pollingIntervalSeconds = Math.min(Math.max(job.intervalSeconds / 2, 0.5), 5);
    await this.boss.work(job.name, { pollingIntervalSeconds }, async () => {
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
    const offer = () =>
      this.boss
        .send(job.name, {}, { singletonKey: job.name, singletonSeconds: job.intervalSeconds })
        .catch((error: unknown) =>
          this.logger.warn(
            { err: error, job: job.name },
            `could not queue ${job.name}; retrying next interval`,
          ),
        );
    this.timers.push(setInterval(offer, job.intervalSeconds * 1000));
    await offer();
  }

  /** Stops offering and taking runs, then waits (up to `timeoutMs`) for the ones under way. */
  async stop(timeoutMs = 30_000): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
  }
}
