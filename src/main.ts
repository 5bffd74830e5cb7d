// `npm start`: the embedded development defaults. Today this is the local chain with the Custos contracts
// deployed (state kept under .custos/); the attestation service starts here too once it exists.
import path from 'node:path';
import { startLocalChain } from './chain/index.js';

const DATA_DIR = path.resolve(process.env.CUSTOS_DATA_DIR ?? '.custos');

async function main(): Promise<void> {
  const chain = await startLocalChain({
    dataDir: path.join(DATA_DIR, 'chain'),
    policies: [{ name: 'kyc-basic', maxLifetimeSeconds: 90 * 86_400 }],
    port: process.env.ANVIL_PORT ? Number(process.env.ANVIL_PORT) : undefined,
  });
  const { deployment } = chain;
  console.log(
    JSON.stringify(
      { rpcUrl: chain.anvil.rpcUrl, chainId: deployment.chainId, contracts: deployment.contracts },
      null,
      2,
    ),
  );
  console.error(
    chain.freshlyDeployed
      ? 'contracts deployed to the local chain'
      : 'local chain resumed with its kept state',
  );

  const shutdown = async (signal: string) => {
    console.error(`${signal}: stopping the local chain (its state is kept in ${DATA_DIR})`);
    await chain.anvil.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: Error) => {
  console.error(`custos: ${error.message}`);
  process.exit(1);
});
