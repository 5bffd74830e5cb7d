import { JsonRpcProvider, Wallet } from 'ethers';
import {
  ANVIL_DEFAULT_PRIVATE_KEY,
  deployCustos,
  startAnvil,
  type AnvilHandle,
  type Deployment,
} from '../../src/chain/index.js';
import { startFakeKms, type FakeKms } from './fakeKms.js';
import { startTestPostgres, type TestPostgres } from './postgres.js';

export interface ProductionDependencies {
  postgres: TestPostgres;
  anvil: AnvilHandle;
  kms: FakeKms;
  deployment: Deployment;
  /**
   * What an operator sets for them: DATABASE_URL, RPC_URL and CHAIN_ID, the contract addresses, the signer and the
   * operator as KMS keys, and the AWS credentials the SDK reads from the environment.
   */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * A production configuration's dependencies, each its own server: PostgreSQL, anvil with the contracts deployed by
 * anvil's first account, and the KMS endpoint holding the signer key and the operator key (funded, and given only
 * the roles it needs: publisher, signer manager, anchorer).
 */
export async function startProductionDependencies(): Promise<ProductionDependencies> {
  const started: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    for (const dependency of started.reverse()) await dependency.stop();
  };
  try {
    const postgres = await startTestPostgres();
    started.push(postgres);
    const anvil = await startAnvil();
    started.push(anvil);
    const kms = await startFakeKms();
    started.push(kms);
    const operator = kms.createKey();
    const provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { cacheTimeout: -1 });
    const deployer = new Wallet(ANVIL_DEFAULT_PRIVATE_KEY, provider);
    const deployment = await deployCustos({
      deployer,
      policies: [{ name: 'kyc-basic', maxLifetimeSeconds: 7 * 86_400 }],
      roles: { publisher: operator.address, signerManager: operator.address, anchorer: operator.address },
    });
    await (await deployer.sendTransaction({ to: operator.address, value: 10n ** 18n })).wait();
    provider.destroy();
    const env = {
      DATABASE_URL: postgres.url,
      RPC_URL: anvil.rpcUrl,
      CHAIN_ID: String(deployment.chainId),
      GATEKEEPER_ADDRESS: deployment.contracts.ComplianceGatekeeper,
      REVOCATION_REGISTRY_ADDRESS: deployment.contracts.RevocationRegistry,
      AUDIT_ANCHOR_ADDRESS: deployment.contracts.AuditAnchor!,
      OPERATOR_KMS_KEY_ID: operator.keyId,
      SIGNER: 'aws-kms',
      KMS_KEY_ID: kms.createKey().keyId,
      AWS_REGION: 'eu-central-1',
      KMS_ENDPOINT: kms.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'fake-kms-secret-access-key',
    };
    return { postgres, anvil, kms, deployment, env, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
