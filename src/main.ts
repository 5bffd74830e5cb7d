// `npm start` (and `custos serve`): Custos on its embedded defaults, or on the configuration in the environment.
// `--replica`: another process beside a running `npm start`, sharing its database, chain and keys.
import { loadEnv } from './config/index.js';
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
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`custos: ${signal}, shutting down (data kept in ${env.CUSTOS_DATA_DIR})`);
    await service.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: Error) => {
  console.error(`custos: ${error.message.split('\n')[0]}`);
  process.exit(1);
});
