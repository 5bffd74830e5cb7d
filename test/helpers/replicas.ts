import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { JsonRpcProvider, Wallet } from 'ethers';
import { createApiKey, ensureTenant, type Role } from '../../src/auth/index.js';
import {
  ANVIL_DEFAULT_PRIVATE_KEY,
  deployCustos,
  freePort,
  startAnvil,
  type AnvilHandle,
  type Deployment,
} from '../../src/chain/index.js';
import { zkPolicyHashOf } from '../../src/credentials/index.js';
import { closeDatabase, createDatabase, type Database } from '../../src/db/index.js';
import { loadPolicies } from '../../src/screening/index.js';
import { stopChild } from './embedded.js';
import { startTestPostgres, type TestPostgres } from './postgres.js';

/** Debian's HAProxy: the load balancer in front of the replicas. */
export const HAPROXY = '/usr/sbin/haproxy';
export const hasHaproxy = () => existsSync(HAPROXY);

/** The response header HAProxy adds naming the replica that answered. */
export const REPLICA_HEADER = 'x-custos-replica';

export interface Replica {
  name: string;
  url: string;
  /** What the process wrote (the last 200 kB). */
  output(): string;
  stop(): Promise<void>;
}

export interface ReplicaCluster {
  postgres: TestPostgres;
  anvil: AnvilHandle;
  deployment: Deployment;
  /** A connection of the test's own, for setting up and checking what the replicas wrote. */
  db: Database;
  replicas: Replica[];
  /** HAProxy in front of every replica (round robin). */
  balancer: { url: string };
  key(role: Role, rateLimitPerMinute?: number): Promise<{ id: string; key: string }>;
  stop(): Promise<void>;
}

/**
 * N Custos replicas as separate processes (`src/main.ts`, the production configuration: DATABASE_URL, RPC_URL,
 * the contracts, SIGNER=local with one keystore in one shared data directory), on one PostgreSQL and one anvil with
 * the contracts deployed, behind HAProxy. Everything started is stopped by `stop()`, also when starting fails.
 */
export async function startReplicaCluster(
  options: { replicas?: number; env?: Record<string, string> } = {},
): Promise<ReplicaCluster> {
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step();
  };
  try {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'custos-replicas-'));
    chmodSync(dataDir, 0o755);
    stops.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const [postgres, anvil] = await Promise.allSettled([startTestPostgres(), startAnvil()]).then(
      (started) => {
        for (const one of started) if (one.status === 'fulfilled') stops.push(() => one.value.stop());
        for (const one of started) if (one.status === 'rejected') throw one.reason;
        return started.map((one) => (one as PromiseFulfilledResult<unknown>).value) as [
          TestPostgres,
          AnvilHandle,
        ];
      },
    );
    const deployment = await deployEmbeddedPolicies(anvil.rpcUrl);
    const keystore = path.join(dataDir, 'keys', 'signer.json');
    mkdirSync(path.dirname(keystore), { recursive: true });
    writeFileSync(keystore, await Wallet.createRandom().encrypt('replica test only'));
    const env = {
      DATABASE_URL: postgres.url,
      RPC_URL: anvil.rpcUrl,
      GATEKEEPER_ADDRESS: deployment.contracts.ComplianceGatekeeper,
      REVOCATION_REGISTRY_ADDRESS: deployment.contracts.RevocationRegistry,
      COMPLIANT_TOKEN_ADDRESS: deployment.contracts.CompliantToken,
      AGENT_REGISTRY_ADDRESS: deployment.contracts.AgentRegistry,
      AUDIT_ANCHOR_ADDRESS: deployment.contracts.AuditAnchor,
      OPERATOR_PRIVATE_KEY: ANVIL_DEFAULT_PRIVATE_KEY,
      SIGNER: 'local',
      // A local signer against a configured chain is refused unless meant; its keystore must then exist (below).
      ALLOW_LOCAL_SIGNER: 'true',
      LOCAL_KEYSTORE_FILE: keystore,
      LOCAL_KEYSTORE_PASSWORD: 'replica test only',
      CUSTOS_DATA_DIR: dataDir,
      CHAIN_INDEX_START_BLOCK: String(deployment.blockNumber),
      TRUST_PROXY_HOPS: '1', // HAProxy adds X-Forwarded-For
      LOG_LEVEL: 'warn',
      ...options.env,
    };
    const replicas: Replica[] = [];
    // One after the other: the first applies the migrations and registers the key, the next find them.
    for (const name of 'abcdefgh'.slice(0, options.replicas ?? 2)) {
      const replica = await startReplica(name, env);
      stops.push(() => replica.stop());
      replicas.push(replica);
    }
    const balancer = await startHaproxy(dataDir, replicas);
    stops.push(() => balancer.stop());
    const db = createDatabase(postgres.url, 2);
    stops.push(() => closeDatabase(db));
    return {
      postgres,
      anvil,
      deployment,
      db,
      replicas,
      balancer,
      async key(role, rateLimitPerMinute) {
        const tenantId = await ensureTenant(db, 'replicas');
        return createApiKey(db, { tenantId, role, label: `replicas ${role}`, rateLimitPerMinute });
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The contracts with the shipped policies enabled, as `npm start` deploys them. */
async function deployEmbeddedPolicies(rpcUrl: string): Promise<Deployment> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true });
  try {
    return await deployCustos({
      deployer: new Wallet(ANVIL_DEFAULT_PRIVATE_KEY, provider),
      policies: [...loadPolicies().values()].map((policy) => ({
        name: policy.name,
        maxLifetimeSeconds: Math.max(policy.lifetimeSeconds, 90 * 86_400),
        zkPolicyHash: zkPolicyHashOf(policy),
      })),
    });
  } finally {
    provider.destroy();
  }
}

/** Starts `src/main.ts` with `env` (plus `args`) on a free port and waits until it answers /healthz. */
export async function startReplica(
  name: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<Replica> {
  const port = env.PORT ?? String(await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    env: { ...process.env, ...env, PORT: port },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-200_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const replica = { name, url, output: () => output, stop: () => stopChild(child) };
  try {
    for (let waited = 0; ; waited += 100) {
      if (child.exitCode !== null)
        throw new Error(`replica ${name} exited with ${child.exitCode}: ${output}`);
      if (waited > 120_000) throw new Error(`replica ${name} did not come up: ${output}`);
      const up = await fetch(`${url}/healthz`).then(
        (response) => response.ok,
        () => false,
      );
      if (up) return replica;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await replica.stop();
    throw error;
  }
}

/** HAProxy round robin over `replicas`, each health-checked on /healthz; it names the one that answered. */
export async function startHaproxy(
  dir: string,
  replicas: { name: string; url: string }[],
): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const config = path.join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'global',
      '  maxconn 4096',
      'defaults',
      '  mode http',
      '  timeout connect 5s',
      '  timeout client 60s',
      '  timeout server 60s',
      '  option forwardfor',
      'frontend custos',
      `  bind 127.0.0.1:${port}`,
      '  default_backend replicas',
      'backend replicas',
      '  balance roundrobin',
      '  option httpchk GET /healthz',
      `  http-response set-header ${REPLICA_HEADER} %[srv_name]`,
      ...replicas.map(({ name, url }) => `  server ${name} ${new URL(url).host} check inter 500ms`),
      '',
    ].join('\n'),
  );
  const child = spawn(HAPROXY, ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const url = `http://127.0.0.1:${port}`;
  for (let waited = 0; ; waited += 100) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}: ${stderr}`);
    const up = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) return { url, stop: () => stopChild(child) };
    if (waited > 10_000) {
      await stopChild(child);
      throw new Error(`haproxy did not come up: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
