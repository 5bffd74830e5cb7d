import type { Logger } from 'pino';
import type { TenantsAndKeys } from '../admin/index.js';
import type { AgentConfigs, Executions } from '../agents/index.js';
import type { Approvals } from '../approvals/index.js';
import type {
  AttestationService,
  BulkRevocations,
  DelegationService,
  RevocationService,
} from '../attest/index.js';
import type { ApiKeyVerifier, Principal, RateLimiter, RegulatorTokenVerifier } from '../auth/index.js';
import type { ChainOperator } from '../chain/index.js';
import type { CredentialPaths, CredentialService, ZkAttestationService } from '../credentials/index.js';
import type { Env } from '../config/index.js';
import type { Database } from '../db/index.js';
import type { EmergencyStop } from '../emergency/index.js';
import type { KeyManager } from '../keys/index.js';
import type { Policy } from '../screening/index.js';
import type { Metrics } from './metrics.js';
import type { WebhookRefusals } from './webhookRefusals.js';
import type { Readiness } from './readiness.js';

/** Everything the routes use; built once at start-up. */
export interface ApiContext {
  env: Env;
  logger: Logger;
  db: Database;
  chain: ChainOperator;
  chainId: number;
  contracts: {
    ComplianceGatekeeper: string;
    RevocationRegistry: string;
    CompliantToken?: string;
    AgentRegistry?: string;
  };
  policies: Map<string, Policy>;
  attestations: AttestationService;
  delegations: DelegationService;
  revocations: RevocationService;
  bulkRevocations: BulkRevocations;
  approvals: Approvals;
  tenantsAndKeys: TenantsAndKeys;
  agentConfigs: AgentConfigs;
  /** The execution gate's executor side; unset without an AgentRegistry. */
  executions?: Executions;
  emergency: EmergencyStop;
  credentials: CredentialService;
  credentialPaths: CredentialPaths;
  zkAttestations: ZkAttestationService;
  keys: KeyManager;
  apiKeys: ApiKeyVerifier;
  /** Set when regulators may sign in with identity-provider JWTs. */
  regulatorTokens?: RegulatorTokenVerifier;
  rateLimiter: RateLimiter;
  metrics: Metrics;
  webhookRefusals: WebhookRefusals;
  readiness: Readiness;
}

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    rawBody?: Buffer;
  }
  interface Locals {
    principal?: Principal;
  }
}
