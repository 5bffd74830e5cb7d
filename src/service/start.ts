import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { Readiness, WebhookRefusals, createApp, createMetrics } from '../api/index.js';
import {
  AttestationService,
  BulkRevocations,
  DelegationService,
  RevocationService,
  createIssuanceLog,
  type IssuanceEntry,
} from '../attest/index.js';
import { ApiKeyVerifier, RegulatorTokenVerifier } from '../auth/index.js';
import {
  ChainOperator,
  readChainId,
  startLocalChain,
  type ContractName,
  type LocalChain,
} from '../chain/index.js';
import { ConfigError, describeConfiguration, type Env } from '../config/index.js';
import {
  applyMigrations,
  assertMigrated,
  closeDatabase,
  createDatabase,
  startEmbeddedPostgres,
  type Database,
  type EmbeddedPostgresHandle,
  type GroupCommit,
} from '../db/index.js';
import { KeyManager, openOperator } from '../keys/index.js';
import { TenantsAndKeys } from '../admin/index.js';
import { AgentConfigs, CallerChecks, ExecutionGate, Executions } from '../agents/index.js';
import { EmergencyStop } from '../emergency/index.js';
import { Approvals } from '../approvals/index.js';
import { AuditAnchorer, AuditCheckpointer } from '../audit/index.js';
import { BackgroundJobs } from '../jobs/index.js';
import { ChainIndexer } from '../reconcile/index.js';
import { ProverPool, assertZkArtifacts } from '../zk/index.js';
import {
  CredentialPaths,
  CredentialRevoker,
  CredentialService,
  IssuanceRootPublisher,
  RevocationRootPublisher,
  ZkAttestationService,
  zkPolicyHashOf,
} from '../credentials/index.js';
import { loadPolicies, type Policy } from '../screening/index.js';
import { devApiKeys, writeDevCredentials, type DevCredentials } from './devCredentials.js';
import { startReplicaState } from './replicaState.js';
import { serve } from './httpServer.js';
import { Shutdown } from './shutdown.js';
import { embeddedInstanceEnvironment } from './replica.js';
import { namingWorker, startWorkers } from './workers.js';
import { refuseDevelopmentOperatorKey, refuseUnsafeStart, startupWarnings } from './refusals.js';

export interface RunningService {
  url: string;
  chain: {
    rpcUrl: string;
    chainId: number;
    contracts: {
      ComplianceGatekeeper: string;
      RevocationRegistry: string;
      CompliantToken?: string;
      AgentRegistry?: string;
      AuditAnchor?: string;
    };
  };
  /** Set on embedded defaults: what `.custos/dev-credentials.json` holds. */
  credentials?: DevCredentials;
  /** Drains, then closes everything (see Shutdown); every call returns the same shutdown. */
  stop(): Promise<void>;
}

/** Embedded chains get policies the gatekeeper accepts for at least this long. */
const EMBEDDED_MAX_LIFETIME = 90 * 86_400;

export interface StartOptions {
  /**
   * false: only check that the database has every migration, never apply one (a replica joining a running
   * `npm start` must not change the schema under it). Default true: apply them, one migrator at a time.
   */
  migrate?: boolean;
  /**
   * false: leave the recurring background jobs (anchoring, checkpoints, indexing, emergency sync, bulk revocations,
   * the execution gate) to another process of the instance (a WORKERS=N worker: its primary runs them). Default true.
   */
  backgroundJobs?: boolean;
  /**
   * WORKERS=N's primary: instead of serving HTTP here, fork `count` worker processes that serve PORT, each loading
   * its configuration from `settings` (what `env` was loaded from) joined to what this process started (database,
   * chain, keys), with backgroundJobs false. Unset: serve here.
   */
  workers?: { count: number; settings: NodeJS.ProcessEnv };
  /** In a worker: its node:cluster id, named in a header on every response. */
  workerId?: number;
}

/**
 * Starts Custos. Unset DATABASE_URL and RPC_URL mean the embedded defaults: PostgreSQL and anvil (with the
 * contracts deployed) under CUSTOS_DATA_DIR, a local development key, a dev tenant and its credentials file; with
 * both set and a KMS or HSM signer nothing is written to disk. Anything started is stopped again if a later step
 * fails.
 * `stop()` drains before it closes (see Shutdown): SHUTDOWN_DELAY_SECONDS, then SHUTDOWN_TIMEOUT_SECONDS at most.
 */
export async function startService(
  env: Env,
  logger: Logger = pino({ level: env.LOG_LEVEL }),
  options: StartOptions = {},
): Promise<RunningService> {
  logger.info({ configuration: describeConfiguration(env) }, 'effective configuration');
  refuseUnsafeStart(env);
  for (const warning of startupWarnings(env)) logger.warn(warning);
  const dataDir = path.resolve(env.CUSTOS_DATA_DIR);
  const readiness = new Readiness(env.READYZ_SIGNER_CACHE_SECONDS * 1000);
  const shutdown = new Shutdown({
    readiness,
    // A primary serves nothing itself: its workers each give balancers the delay.
    delayMs: options.workers ? 0 : env.SHUTDOWN_DELAY_SECONDS * 1000,
    timeoutMs: env.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    logger,
  });
  const stop = () => shutdown.stop();
  try {
    const policies = loadPolicies(env.POLICIES_FILE);
    try {
      assertZkArtifacts();
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
    // A configured chain is checked before anything else is touched (the database included).
    const configuredChain = env.RPC_URL ? await configuredChainId(env.RPC_URL, env.CHAIN_ID) : undefined;
    if (configuredChain !== undefined) refuseDevelopmentOperatorKey(env, configuredChain);

    let postgres: EmbeddedPostgresHandle | undefined;
    if (!env.DATABASE_URL) {
      postgres = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres') });
      shutdown.resource(() => postgres!.stop());
    }
    const databaseUrl = env.DATABASE_URL ?? postgres!.url;
    if (options.migrate === false) await assertMigrated(databaseUrl);
    else await applyMigrations(databaseUrl);
    const db: Database = createDatabase(databaseUrl, env.DATABASE_POOL_SIZE, (error) =>
      logger.warn({ err: error }, 'database connection lost; the pool reconnects'),
    );
    shutdown.resource(() => closeDatabase(db));

    let local: LocalChain | undefined;
    if (!env.RPC_URL) {
      local = await startLocalChain({
        dataDir: path.join(dataDir, 'chain'),
        policies: [...policies.values()].map((p) => ({
          name: p.name,
          maxLifetimeSeconds: Math.max(p.lifetimeSeconds, EMBEDDED_MAX_LIFETIME),
          zkPolicyHash: zkPolicyHashOf(p),
        })),
      });
      shutdown.resource(() => local!.anvil.stop());
    }
    const contracts = local
      ? local.deployment.contracts
      : {
          ComplianceGatekeeper: env.GATEKEEPER_ADDRESS!,
          RevocationRegistry: env.REVOCATION_REGISTRY_ADDRESS!,
          CompliantToken: env.COMPLIANT_TOKEN_ADDRESS,
          AgentRegistry: env.AGENT_REGISTRY_ADDRESS,
          AuditAnchor: env.AUDIT_ANCHOR_ADDRESS,
        };
    const rpcUrl = local?.anvil.rpcUrl ?? env.RPC_URL!;
    const chainId = local?.deployment.chainId ?? configuredChain!;
    const operator = await openOperator(env, (message) => logger.warn(message));
    shutdown.resource(() => operator.close());
    const chain = new ChainOperator({
      rpcUrl,
      chainId,
      gatekeeper: contracts.ComplianceGatekeeper,
      revocationRegistry: contracts.RevocationRegistry,
      auditAnchor: contracts.AuditAnchor,
      operator: operator.signer,
      receiptTimeoutMs: env.CHAIN_RECEIPT_TIMEOUT_SECONDS * 1000,
    });
    shutdown.resource(() => chain.destroy());

    await warnAboutPolicies(chain, policies, logger);
    const keys = await KeyManager.start(db, chain, env, (message) => logger.warn(message));
    shutdown.resource(() => keys.close());
    const apiKeys = new ApiKeyVerifier(db);
    const emergency = await EmergencyStop.start(db, chain, logger);
    const replicaState = await startReplicaState({ databaseUrl, db, keys, apiKeys, emergency, logger });
    shutdown.resource(() => replicaState.stop());

    // One group-committed log for every issuance, EIP-712 or zero-knowledge: concurrent ones share commits.
    const issuanceLog = createIssuanceLog(db);
    const zk = await startZkCredentials({ db, issuanceLog, chain, chainId, contracts, policies, keys });
    const agents = startExecutionGate(env, db, chain, contracts, policies);
    const revocations = new RevocationService(db, chain, zk.revoker);
    const bulkRevocations = new BulkRevocations(db, revocations, logger);
    if (options.backgroundJobs !== false) {
      const jobs = await BackgroundJobs.start(db, logger);
      shutdown.intake((timeoutMs) => jobs.stop(timeoutMs));
      const checkpointer = new AuditCheckpointer(db, {
        signer: () => keys.current(),
        chainId,
        gatekeeper: contracts.ComplianceGatekeeper,
      });
      await scheduleBackgroundJobs(jobs, {
        env,
        db,
        chain,
        contracts,
        checkpointer,
        bulkRevocations,
        emergency,
        gate: agents?.gate,
        logger,
      });
    }

    /** The HTTP API in this process; resolves with the port it listens on. */
    const serveHere = async (): Promise<number> => {
      const regulatorTokens = env.REGULATOR_JWT_ISSUER
        ? await RegulatorTokenVerifier.create({
            jwksUrl: env.REGULATOR_JWKS_URL,
            publicKeyPem: env.REGULATOR_JWT_PUBLIC_KEY,
            issuer: env.REGULATOR_JWT_ISSUER,
            audience: env.REGULATOR_JWT_AUDIENCE!,
            algorithms: env.REGULATOR_JWT_ALGORITHMS,
            maxTokenAgeSeconds: env.REGULATOR_JWT_MAX_AGE_SECONDS,
            rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
          })
        : undefined;
      const prover = new ProverPool({
        size: env.ZK_PROVER_WORKERS,
        maxQueue: env.ZK_PROVER_QUEUE,
        timeoutMs: env.ZK_PROVER_TIMEOUT_SECONDS * 1000,
      });
      shutdown.resource(() => prover.close());
      const metrics = createMetrics({ prover: () => prover.load(), emergency: () => emergency.current() });
      const webhookRefusals = new WebhookRefusals(metrics, logger);
      const flushRefusals = () =>
        webhookRefusals
          .flush(db)
          .catch((error: unknown) => logger.warn({ err: error }, 'webhook refusals not audited yet'));
      const refusalTimer = setInterval(flushRefusals, env.KYC_WEBHOOK_REFUSALS_AUDIT_SECONDS * 1000);
      shutdown.resource(() => {
        clearInterval(refusalTimer);
        return flushRefusals();
      });
      const issuance = {
        db,
        log: issuanceLog,
        policies,
        signer: () => keys.current(),
        chainId,
        gatekeeper: contracts.ComplianceGatekeeper,
      };
      const app = createApp({
        env,
        logger,
        db,
        chain,
        chainId,
        contracts,
        policies,
        attestations: new AttestationService({
          ...issuance,
          batch: { windowMs: env.ATTEST_BATCH_WINDOW_MS, maxSize: env.ATTEST_BATCH_MAX_SIZE },
          onBatchSigned: (size) => {
            metrics.batchSignatures.inc();
            metrics.batchSize.observe(size);
          },
        }),
        delegations: new DelegationService(issuance),
        revocations,
        bulkRevocations,
        approvals: new Approvals(db, env.FOUR_EYES, env.APPROVAL_TTL_SECONDS),
        tenantsAndKeys: new TenantsAndKeys(db, (ids) => apiKeys.forget(...ids)),
        agentConfigs: new AgentConfigs(db),
        executions: agents?.executions,
        emergency,
        credentials: zk.credentials,
        credentialPaths: zk.paths,
        zkAttestations: new ZkAttestationService({
          log: issuanceLog,
          policies,
          credentials: zk.credentials,
          paths: zk.paths,
          prover,
          chainId,
          gatekeeper: contracts.ComplianceGatekeeper,
        }),
        keys,
        apiKeys,
        regulatorTokens,
        rateLimiter: replicaState.rateLimiter,
        metrics,
        webhookRefusals,
        readiness,
      });
      const handler = options.workerId === undefined ? app : namingWorker(app, options.workerId);
      const http = await serve(handler, env.PORT, env.HOST);
      shutdown.intake(async (timeoutMs) => {
        const cut = await http.close(timeoutMs);
        if (cut > 0) {
          logger.warn(
            { requests: cut },
            `${cut} requests were still running after SHUTDOWN_TIMEOUT_SECONDS (${env.SHUTDOWN_TIMEOUT_SECONDS} s): their connections were closed`,
          );
        }
      });
      return (http.server.address() as AddressInfo).port;
    };

    /** WORKERS=N: the workers serve, joining this process's database, chain and keys; resolves with their port. */
    const forkWorkers = async ({ count, settings }: NonNullable<StartOptions['workers']>) => {
      const workers = await startWorkers({
        count,
        env: {
          ...settings,
          ...(local &&
            embeddedInstanceEnvironment(env, { dataDir, databaseUrl, rpcUrl, chainId, contracts })),
        },
        port: env.PORT,
        logger,
      });
      // Each worker drains within its delay and timeout; beyond those (and its closing), it is killed.
      const workerBound = (env.SHUTDOWN_DELAY_SECONDS + env.SHUTDOWN_TIMEOUT_SECONDS + 30) * 1000;
      shutdown.intake(() => workers.close(workerBound));
      return workers.port;
    };

    const port = options.workers ? await forkWorkers(options.workers) : await serveHere();
    const url = `http://${env.HOST}:${port}`;

    let credentials: DevCredentials | undefined;
    if (local && postgres) {
      const file = path.join(dataDir, 'dev-credentials.json');
      credentials = {
        url,
        ...(await devApiKeys(db, file)),
        rpcUrl,
        chainId,
        contracts: local.deployment.contracts,
      };
      writeDevCredentials(file, credentials);
    }
    logger.info(
      { url, chainId, gatekeeper: contracts.ComplianceGatekeeper, signer: keys.current().address },
      'custos is serving',
    );
    shutdown.serving();
    return { url, chain: { rpcUrl, chainId, contracts }, credentials, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The zero-knowledge side: the issuance and revocation trees and their publishers. Roots a
 * previous run left unpublished are published now, and so is the first (empty) revocation root of a new registry.
 */
async function startZkCredentials({
  db,
  issuanceLog,
  chain,
  chainId,
  contracts,
  policies,
  keys,
}: {
  db: Database;
  issuanceLog: GroupCommit<IssuanceEntry>;
  chain: ChainOperator;
  chainId: number;
  contracts: { ComplianceGatekeeper: string };
  policies: Map<string, Policy>;
  keys: KeyManager;
}) {
  const gatekeeper = contracts.ComplianceGatekeeper;
  const issuanceRoots = new IssuanceRootPublisher({
    db,
    chain,
    signer: () => keys.current(),
    chainId,
    gatekeeper,
  });
  const revocationRoots = new RevocationRootPublisher(db, chain);
  await revocationRoots.publish();
  await issuanceRoots.publishLatest();
  const credentials = new CredentialService({
    db,
    log: issuanceLog,
    policies,
    chainId,
    gatekeeper,
    issuanceRoots,
  });
  const paths = new CredentialPaths(db, chain, issuanceRoots, revocationRoots);
  return { credentials, paths, revoker: new CredentialRevoker(db, revocationRoots) };
}

/** A policy the gatekeeper does not enable (or enables for less time) would have every attestation refused on-chain. */
async function warnAboutPolicies(
  chain: ChainOperator,
  policies: Map<string, Policy>,
  logger: Logger,
): Promise<void> {
  for (const policy of policies.values()) {
    const zkHash = zkPolicyHashOf(policy);
    if (zkHash !== undefined && (await chain.zkPolicyHash(policy.name)) !== zkHash) {
      logger.warn(
        { policy: policy.name },
        `policy ${policy.name}'s zero-knowledge parameters differ from the gatekeeper's: its credential proofs will be refused on-chain until setZkPolicy is called with ${zkHash}`,
      );
    }
    const onChain = await chain.policyMaxLifetime(policy.name);
    if (onChain < policy.lifetimeSeconds) {
      logger.warn(
        { policy: policy.name, lifetimeSeconds: policy.lifetimeSeconds, gatekeeperMaxLifetime: onChain },
        `policy ${policy.name} is ${onChain === 0 ? 'not enabled' : 'enabled for a shorter lifetime'} on the gatekeeper: its attestations will be refused on-chain`,
      );
    }
  }
}

/**
 * Audit anchoring (when an AuditAnchor is configured), signed audit checkpoints and chain indexing, each one run at a
 * time cluster-wide.
 */
async function scheduleBackgroundJobs(
  jobs: BackgroundJobs,
  {
    env,
    db,
    chain,
    contracts,
    checkpointer,
    bulkRevocations,
    emergency,
    gate,
    logger,
  }: {
    env: Env;
    db: Database;
    chain: ChainOperator;
    contracts: Partial<Record<ContractName, string>>;
    checkpointer: AuditCheckpointer;
    bulkRevocations: BulkRevocations;
    emergency: EmergencyStop;
    gate?: ExecutionGate;
    logger: Logger;
  },
): Promise<void> {
  // The gatekeeper's pause switch follows the emergency stop even when a chain outage or a crash interrupted it.
  await jobs.every({
    name: 'emergency-chain-sync',
    intervalSeconds: 15,
    expireInSeconds: 600,
    run: async () => {
      await emergency.syncChain();
    },
  });
  // Bulk revocations a crash or an outage stopped carry on from where they were.
  await jobs.every({
    name: 'bulk-revocations',
    intervalSeconds: 10,
    expireInSeconds: 3600,
    run: () => bulkRevocations.resume(),
  });
  await jobs.every({
    name: 'audit-checkpoint',
    intervalSeconds: env.AUDIT_CHECKPOINT_INTERVAL_SECONDS,
    expireInSeconds: 300,
    run: async () => {
      const checkpoint = await checkpointer.checkpoint('interval');
      if (checkpoint) logger.debug({ seq: checkpoint.seq }, 'audit checkpoint signed');
    },
  });
  if (chain.auditAnchor) {
    const anchorer = new AuditAnchorer(db, chain, {
      maxBatch: env.AUDIT_ANCHOR_MAX_BATCH,
      minBatch: env.AUDIT_ANCHOR_MIN_BATCH,
      maxAgeSeconds: env.AUDIT_ANCHOR_MAX_AGE_SECONDS,
    });
    await jobs.every({
      name: 'audit-anchor',
      intervalSeconds: env.AUDIT_ANCHOR_INTERVAL_SECONDS,
      expireInSeconds: 600,
      run: async () => {
        const batch = await anchorer.tick();
        if (batch) {
          logger.info(
            { batch: batch.index, firstSeq: String(batch.firstSeq), lastSeq: String(batch.lastSeq) },
            'audit batch anchored',
          );
          await checkpointer.checkpoint('anchor', batch.index);
        }
      },
    });
  }
  const indexer = new ChainIndexer(db, chain.provider, {
    contracts,
    startBlock: env.CHAIN_INDEX_START_BLOCK,
  });
  await jobs.every({
    name: 'chain-index',
    intervalSeconds: env.CHAIN_INDEX_INTERVAL_SECONDS,
    expireInSeconds: 300,
    run: async () => {
      const run = await indexer.run();
      if (run?.rewoundTo !== undefined)
        logger.warn(
          { rewoundTo: run.rewoundTo },
          'chain reorganisation: the index was rewound and read again',
        );
      if (run && run.events > 0) logger.debug(run, 'chain events indexed');
      // Right behind the index it reads: a request is claimable one indexer run after its block is confirmed.
      const decided = await gate?.pickUp();
      if (decided) logger.debug({ decided }, 'agent executions decided');
    },
  });
}

/** The execution gate, when an AgentRegistry is known: its pickup (scheduled behind the indexer) and executors' side. */
function startExecutionGate(
  env: Env,
  db: Database,
  chain: ChainOperator,
  contracts: { ComplianceGatekeeper: string; AgentRegistry?: string },
  policies: Map<string, Policy>,
): { gate: ExecutionGate; executions: Executions } | undefined {
  const registry = contracts.AgentRegistry;
  if (!registry) return undefined;
  const checks = new CallerChecks({
    db,
    provider: chain.provider,
    contracts: { AgentRegistry: registry, ComplianceGatekeeper: contracts.ComplianceGatekeeper },
    policies,
  });
  const confirmations = env.AGENT_EXECUTION_CONFIRMATIONS ?? (env.RPC_URL ? 12 : 0);
  return {
    gate: new ExecutionGate({ db, checks, registry, confirmations }),
    executions: new Executions(db, checks),
  };
}

/** The node's chain id; a configured CHAIN_ID must agree, or every attestation would name the wrong chain. */
async function configuredChainId(rpcUrl: string, configured: number | undefined): Promise<number> {
  const actual = await readChainId(rpcUrl);
  if (configured !== undefined && configured !== actual) {
    throw new ConfigError(
      `invalid configuration: CHAIN_ID is ${configured} but the node at RPC_URL serves chain ${actual}`,
    );
  }
  return actual;
}
