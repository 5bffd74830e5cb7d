import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ANVIL_DEFAULT_PRIVATE_KEY, type ContractName } from '../chain/index.js';
import { ConfigError, loadEnv, type Env } from '../config/index.js';
import { runningEmbeddedPostgres } from '../db/index.js';
import { DEV_KEYSTORE_PASSWORD } from '../keys/index.js';
import { runningPid } from '../processes.js';
import type { DevCredentials } from './devCredentials.js';

/**
 * `npm start -- --replica` (`custos serve --replica`): the configuration of a second Custos process beside one that
 * `npm start` runs on embedded defaults from the same CUSTOS_DATA_DIR. It joins that instance's PostgreSQL (found
 * by its postmaster.pid), its chain and contracts (dev-credentials.json), its keys and data directory; it is then
 * configured like any production replica, so it starts, stops, migrates and deploys none of them. PORT unset: a
 * free port.
 */
export function replicaOfRunningInstance(source: NodeJS.ProcessEnv = process.env): Env {
  if (source.DATABASE_URL || source.RPC_URL) {
    throw new ConfigError(
      'invalid configuration: --replica joins an `npm start` on embedded defaults; with DATABASE_URL and RPC_URL set every process is a replica already, start it without --replica',
    );
  }
  const env = loadEnv(source);
  const dataDir = path.resolve(env.CUSTOS_DATA_DIR);
  const credentialsFile = path.join(dataDir, 'dev-credentials.json');
  const notRunning = (what: string) =>
    new ConfigError(
      `--replica found no running instance in ${dataDir} (${what}): start one with npm start first`,
    );
  if (!existsSync(credentialsFile)) throw notRunning('no dev-credentials.json');
  const databaseUrl = runningEmbeddedPostgres(path.join(dataDir, 'postgres'));
  if (!databaseUrl) throw notRunning('its PostgreSQL is not running');
  if (runningPid(path.join(dataDir, 'chain', 'anvil.pid'), 'anvil') === undefined)
    throw notRunning('its anvil is not running');
  const first = JSON.parse(readFileSync(credentialsFile, 'utf8')) as DevCredentials & {
    contracts: { AuditAnchor?: string };
  };
  const port = source.PORT ?? '0';
  if (port !== '0' && new URL(first.url).port === port) {
    throw new ConfigError(
      `invalid configuration: PORT ${port} is the running instance's (${first.url}); give the replica another one`,
    );
  }
  return loadEnv({
    ...source,
    PORT: port,
    ...embeddedInstanceEnvironment(env, {
      dataDir,
      databaseUrl,
      rpcUrl: first.rpcUrl,
      chainId: first.chainId,
      contracts: first.contracts,
    }),
  });
}

/**
 * The settings of a process that joins an embedded instance (its PostgreSQL, chain, contracts and keys in
 * `dataDir`) configured like any production replica: a `--replica`, or a worker of a WORKERS=N `npm start`. The
 * signer and operator are the instance's own (`env`): configured ones stay as they are; unset, those the embedded
 * defaults use (the dev keystore signs, anvil's first account operates).
 */
export function embeddedInstanceEnvironment(
  env: Env,
  instance: {
    dataDir: string;
    databaseUrl: string;
    rpcUrl: string;
    chainId: number;
    contracts: Partial<Record<ContractName, string>>;
  },
): Record<string, string | undefined> {
  const signer = env.SIGNER ?? 'local';
  const configuredOperator = env.OPERATOR_KMS_KEY_ID || env.OPERATOR_PKCS11_KEY_LABEL;
  return {
    DATABASE_URL: instance.databaseUrl,
    RPC_URL: instance.rpcUrl,
    CHAIN_ID: String(instance.chainId),
    GATEKEEPER_ADDRESS: instance.contracts.ComplianceGatekeeper,
    REVOCATION_REGISTRY_ADDRESS: instance.contracts.RevocationRegistry,
    COMPLIANT_TOKEN_ADDRESS: instance.contracts.CompliantToken,
    AGENT_REGISTRY_ADDRESS: instance.contracts.AgentRegistry,
    AUDIT_ANCHOR_ADDRESS: instance.contracts.AuditAnchor,
    OPERATOR_PRIVATE_KEY: configuredOperator
      ? undefined
      : (env.OPERATOR_PRIVATE_KEY ?? ANVIL_DEFAULT_PRIVATE_KEY),
    SIGNER: signer,
    ...(signer === 'local' && {
      // The instance's key, on purpose (a configured chain would refuse a local signer otherwise).
      ALLOW_LOCAL_SIGNER: 'true',
      LOCAL_KEYSTORE_FILE: env.LOCAL_KEYSTORE_FILE ?? path.join(instance.dataDir, 'keys', 'signer.json'),
      LOCAL_KEYSTORE_PASSWORD: env.LOCAL_KEYSTORE_PASSWORD ?? DEV_KEYSTORE_PASSWORD,
    }),
  };
}
