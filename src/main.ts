// `npm start` (and `custos serve`): Custos on its embedded defaults, or on the configuration in the environment.
import { loadEnv } from './config/index.js';
import { startService } from './service/index.js';

async function main(): Promise<void> {
  const env = loadEnv();
  const service = await startService(env);
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
