import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JsonRpcProvider, Wallet } from 'ethers';
import {
  ANVIL_DAPP_MINTER_ADDRESS,
  ANVIL_DEFAULT_PRIVATE_KEY,
  startAnvil,
  type AnvilHandle,
} from './anvil.js';
import { deployCustos, type Deployment, type PolicyDeployment } from './deploy.js';

export interface LocalChainOptions {
  /** Folder that keeps anvil's state and the deployment, so a restart finds the same chain. */
  dataDir: string;
  policies: PolicyDeployment[];
  port?: number;
}

export interface LocalChain {
  anvil: AnvilHandle;
  deployment: Deployment;
}

/**
 * Starts the embedded development chain: anvil with its state kept under `dataDir`, and the Custos contracts
 * deployed once and found again on later starts.
 */
export async function startLocalChain(options: LocalChainOptions): Promise<LocalChain> {
  mkdirSync(options.dataDir, { recursive: true });
  const deploymentFile = path.join(options.dataDir, 'deployment.json');
  const anvil = await startAnvil({
    stateFile: path.join(options.dataDir, 'anvil-state.json'),
    pidFile: path.join(options.dataDir, 'anvil.pid'),
    port: options.port,
  });
  const provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { staticNetwork: true });
  try {
    const kept = await keptDeployment(deploymentFile, provider);
    if (kept) return { anvil, deployment: kept };
    const deployment = await deployCustos({
      deployer: new Wallet(ANVIL_DEFAULT_PRIVATE_KEY, provider),
      policies: options.policies,
      roles: { minter: ANVIL_DAPP_MINTER_ADDRESS },
    });
    writeFileSync(deploymentFile, JSON.stringify(deployment, null, 2) + '\n');
    return { anvil, deployment };
  } catch (error) {
    await anvil.stop();
    throw error;
  } finally {
    provider.destroy();
  }
}

async function keptDeployment(file: string, provider: JsonRpcProvider): Promise<Deployment | undefined> {
  if (!existsSync(file)) return undefined;
  const deployment = JSON.parse(readFileSync(file, 'utf8')) as Deployment;
  const code = await provider.getCode(deployment.contracts.ComplianceGatekeeper);
  return code === '0x' ? undefined : deployment;
}
