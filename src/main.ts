// `npm start` (and `custos serve`): Custos on its embedded defaults, or on the configuration in the environment.
// `--replica`: another process beside a running `npm start`, sharing its database, chain and keys.
import { loadEnv } from './config/index.js';
import { handOverShutdownSignals } from './db/index.js';
import { replicaOfRunningInstance, startService } from './service/index.js';

async function main(): Promise<void> {
  const replica = process.argv.slice(2).includes('--replica');
  const env = replica ? replicaOfRunningInstance() : loadEnv();
  const service = await startService(env, undefined, { migrate: !replica });
  if (replica)
    console.error(`custos: replica serving ${service.url}, joined the instance in ${env.CUSTOS_DATA_DIR}`);
  if (service.credentials) {
    console.log(JSON.stringify(service.credentials, null, 2));
    console.error(
      `custos: serving ${service.url} on embedded defaults; credentials in ${env.CUSTOS_DATA_DIR}/dev-credentials.json`,
    );
  }
  const embedded = !env.DATABASE_URL || !env.RPC_URL;
  let stopping = false;
  // The first SIGTERM or SIGINT drains and stops (see startService); another one during that ends the process at once.
  const shutdown = async (signal: string) => {
    if (stopping) {
      console.error(`custos: ${signal} again, exiting without waiting for requests in flight`);
      process.exit(1);
    }
    stopping = true;
    console.error(
      `custos: ${signal}, shutting down${embedded ? ` (data kept in ${env.CUSTOS_DATA_DIR})` : ''}`,
    );
    try {
      await service.stop();
    } catch (error) {
      console.error(`custos: shutdown failed: ${(error as Error).message.split('\n')[0]}`);
      process.exit(1);
    }
    process.exit(0);
  };
  handOverShutdownSignals();
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: Error) => {
  console.error(`custos: ${error.message.split('\n')[0]}`);
  process.exit(1);
});
