// `npm start` (and `custos serve`): Custos on its embedded defaults, or on the configuration in the environment.
// `--replica`: another process beside a running `npm start`, sharing its database, chain and keys.
// WORKERS=N (N > 1): this process is node:cluster's primary, and this entry runs again in each worker.
import cluster from 'node:cluster';
import { loadEnv, workerCount } from './config/index.js';
import { handOverShutdownSignals } from './db/index.js';
import { replicaOfRunningInstance, startService } from './service/index.js';

const SAME_SIGNAL_MS = 1000;

async function main(): Promise<void> {
  if (cluster.isWorker) return worker(cluster.worker!.id);
  const replica = process.argv.slice(2).includes('--replica');
  const env = replica ? replicaOfRunningInstance() : loadEnv();
  const workers = workerCount(env);
  const starting = startService(env, undefined, {
    migrate: !replica,
    workers: workers > 1 ? { count: workers, settings: process.env } : undefined,
  });
  const embedded = !env.DATABASE_URL || !env.RPC_URL;
  let stoppingSince: number | undefined;
  // The first SIGTERM or SIGINT drains and stops (see startService); another one during that ends the process at once.
  // One within a second is the same signal delivered twice (a process group's kill, which npm also forwards).
  // A signal during start-up (a slow one: migrations, WORKERS forking) stops the service once it has started.
  const shutdown = async (signal: string) => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < SAME_SIGNAL_MS) return;
      console.error(`custos: ${signal} again, exiting without waiting for requests in flight`);
      process.exit(1);
    }
    stoppingSince = Date.now();
    console.error(
      `custos: ${signal}, shutting down${embedded ? ` (data kept in ${env.CUSTOS_DATA_DIR})` : ''}`,
    );
    try {
      await (await starting).stop();
    } catch (error) {
      console.error(`custos: shutdown failed: ${(error as Error).message.split('\n')[0]}`);
      process.exit(1);
    }
    process.exit(0);
  };
  handOverShutdownSignals();
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  const service = await starting;
  if (replica)
    console.error(`custos: replica serving ${service.url}, joined the instance in ${env.CUSTOS_DATA_DIR}`);
  if (service.credentials) {
    console.log(JSON.stringify(service.credentials, null, 2));
    console.error(
      `custos: serving ${service.url} on embedded defaults; credentials in ${env.CUSTOS_DATA_DIR}/dev-credentials.json`,
    );
  }
}

/**
 * A WORKERS=N worker: its primary put the instance's database, chain and keys in its environment, applied the
 * migrations and runs the background jobs. It stops (draining, like a single process) on SIGTERM or SIGINT, and
 * when its primary has gone; it leaves restarting to the primary.
 */
async function worker(id: number): Promise<void> {
  const service = await startService(loadEnv(), undefined, {
    migrate: false,
    backgroundJobs: false,
    workerId: id,
  });
  const stop = () =>
    service.stop().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(`custos: worker ${id} shutdown failed: ${error.message.split('\n')[0]}`);
        process.exit(1);
      },
    );
  handOverShutdownSignals();
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void stop());
  process.on('disconnect', () => void stop());
}

main().catch((error: Error) => {
  console.error(`custos: ${error.message.split('\n')[0]}`);
  process.exit(1);
});
