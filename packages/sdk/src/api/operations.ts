import type { z } from 'zod';
import * as admin from './admin.js';
import * as agents from './agents.js';
import * as approvals from './approvals.js';
import type { FourEyesAction } from './approvals.js';
import * as attestations from './attestations.js';
import * as audit from './audit.js';
import * as credentials from './credentials.js';
import * as delegations from './delegations.js';
import * as emergency from './emergency.js';
import type { ErrorCode } from './errors.js';
import * as keys from './keys.js';
import * as kyc from './kyc.js';
import * as revocations from './revocations.js';
import * as sanctions from './sanctions.js';
import * as service from './service.js';

import type { Role } from './primitives.js';

/** `public`: anyone; `webhook`: a provider signing with the shared secret; otherwise API keys of these roles. */
export type Auth = 'public' | 'webhook' | readonly Role[];

/**
 * One HTTP operation: the whole contract of a route. The service registers its handler from this, the OpenAPI
 * document is generated from it, and the SDK's client and the CLI take their types from it.
 */
export interface Operation {
  method: 'get' | 'post' | 'put';
  /** Express style: `/v1/attestations/:uid`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  auth: Auth;
  params?: z.ZodObject;
  query?: z.ZodType;
  headers?: z.ZodObject;
  /** A JSON body. */
  body?: z.ZodType;
  /** Other content types the body may be sent as, streamed (a sanctions file). */
  rawBody?: { types: readonly string[]; description: string };
  /** A JSON body larger than BODY_LIMIT this operation accepts (a bulk revocation's list). */
  bodyLimit?: string;
  response: { description: string; schema?: z.ZodType; contentType?: string };
  /** The 202 answer: work that continues in the background, or waits for a second officer. */
  accepted?: { description: string; schema: z.ZodType };
  /** The FOUR_EYES action that puts this operation behind a second officer's approval, when configured. */
  fourEyes?: FourEyesAction;
  /** The error codes this operation answers with besides the ones every operation of its kind can. */
  errors: readonly ErrorCode[];
}

const anyKey = ['dapp', 'officer', 'regulator', 'admin'] as const;
const readers = ['regulator', 'officer', 'admin'] as const;
const officers = ['officer', 'admin'] as const;
/** Every key of a tenant: reads about its own agents (executors included). */
const tenantKeys = ['dapp', 'officer', 'regulator', 'admin', 'executor'] as const;

export const operations = {
  health: {
    method: 'get',
    path: '/healthz',
    tag: 'service',
    summary: 'Liveness',
    auth: 'public',
    response: { description: 'the process is up', schema: service.health },
    errors: [],
  },
  readiness: {
    method: 'get',
    path: '/readyz',
    tag: 'service',
    summary: 'Readiness: database, chain and signer reachable',
    auth: 'public',
    response: { description: 'ready', schema: service.readiness },
    errors: ['NOT_READY'],
  },
  metrics: {
    method: 'get',
    path: '/metrics',
    tag: 'service',
    summary: 'Prometheus metrics',
    auth: 'public',
    response: { description: 'Prometheus text exposition format', contentType: 'text/plain' },
    errors: [],
  },
  openApi: {
    method: 'get',
    path: '/openapi.json',
    tag: 'service',
    summary: 'This document (OpenAPI 3.1)',
    auth: 'public',
    response: { description: 'the OpenAPI document', contentType: 'application/json' },
    errors: [],
  },
  docs: {
    method: 'get',
    path: '/docs',
    tag: 'service',
    summary: 'This document, rendered',
    auth: 'public',
    response: { description: 'an HTML page', contentType: 'text/html' },
    errors: [],
  },
  explorer: {
    method: 'get',
    path: '/explorer',
    tag: 'audit',
    summary: 'The audit explorer (a static page; sign in with a regulator, officer or admin key)',
    auth: 'public',
    response: { description: 'an HTML page', contentType: 'text/html' },
    errors: [],
  },
  signers: {
    method: 'get',
    path: '/v1/signers',
    tag: 'attestations',
    summary:
      'Signers, chain, gatekeeper, EIP-712 domain and policies: what a dApp needs to verify attestations',
    auth: 'public',
    response: { description: 'the active and retiring signers', schema: service.signers },
    errors: [],
  },
  attest: {
    method: 'post',
    path: '/v1/attest',
    tag: 'attestations',
    summary: 'Screen a subject against a policy and issue an attestation',
    description:
      "eip712 (default): a signed attestation for submitAttestation or a gated contract; with `action`, an action-bound attestation (ActionAttestation) for that one call, e.g. AgentRegistry.executeWithAttestation, living the policy's actionLifetimeSeconds. groth16: a custodial proof made with the holder identity secret, for submitProof, mintWithProof or executeWithProof. The decision is audited either way.",
    auth: ['dapp', 'admin'],
    headers: attestations.attestHeaders,
    body: attestations.attestRequest,
    response: { description: 'the attestation', schema: attestations.attestResponse },
    errors: [
      'UNKNOWN_POLICY',
      'SCREENING_FAILED',
      'IDEMPOTENCY_KEY_REUSED',
      'ATTESTATION_REVOKED',
      'ATTESTATION_EXPIRED',
      'ZK_POLICY_UNSUPPORTED',
      'CREDENTIAL_UNUSABLE',
      'SIGNER_UNAVAILABLE',
      'CHAIN_UNAVAILABLE',
      'PROVER_BUSY',
      'BUSY',
      'ISSUANCE_TREE_FULL',
      'PAUSED',
    ],
  },
  delegate: {
    method: 'post',
    path: '/v1/delegations',
    tag: 'attestations',
    summary: "Screen a principal and countersign its delegation to an agent (an AI agent's or a session key)",
    description:
      "The principal signs the EIP-712 Delegation (allowed target and selector pairs, an optional spend cap, an expiry within the policy's lifetime); Custos screens the principal, countersigns the same digest with its signer and records both, audited. Either party submits the result with ComplianceGatekeeper.submitDelegation; the agent then acts through CompliantToken.transferAsDelegate or AgentRegistry.executeAsDelegate while the principal stays compliant. Revoke it like an attestation: POST /v1/revocations (custos revoke <uid>).",
    auth: ['dapp', 'admin'],
    body: delegations.delegationRequest,
    response: { description: 'the countersigned delegation', schema: delegations.delegationResponse },
    errors: [
      'UNKNOWN_POLICY',
      'SCREENING_FAILED',
      'INVALID_PRINCIPAL_SIGNATURE',
      'DELEGATION_UNACCEPTABLE',
      'ALREADY_EXISTS',
      'SIGNER_UNAVAILABLE',
      'PAUSED',
    ],
  },
  getAttestation: {
    method: 'get',
    path: '/v1/attestations/:uid',
    tag: 'attestations',
    summary: "An attestation's or credential's status and audit trail (reading the trail is audited)",
    auth: anyKey,
    params: attestations.attestationParams,
    response: { description: 'its status and audit trail', schema: attestations.attestationWithTrail },
    errors: ['NOT_FOUND'],
  },
  listAttestations: {
    method: 'get',
    path: '/v1/attestations',
    tag: 'attestations',
    summary: "A subject's attestations in the caller's tenants, newest first",
    auth: anyKey,
    query: attestations.attestationListQuery,
    response: { description: 'the attestations', schema: attestations.attestationList },
    errors: [],
  },
  issueCredential: {
    method: 'post',
    path: '/v1/credentials',
    tag: 'credentials',
    summary: "Screen a subject and issue a zero-knowledge credential to the holder's identity commitment",
    auth: ['dapp', 'admin'],
    body: credentials.credentialRequest,
    response: {
      description: 'the credential, once its issuance root is on-chain',
      schema: credentials.issuedCredential,
    },
    errors: [
      'UNKNOWN_POLICY',
      'SCREENING_FAILED',
      'ZK_POLICY_UNSUPPORTED',
      'SIGNER_UNAVAILABLE',
      'CHAIN_UNAVAILABLE',
      'BUSY',
      'ISSUANCE_TREE_FULL',
      'PAUSED',
    ],
  },
  issuancePath: {
    method: 'get',
    path: '/v1/credentials/:id/issuance-path',
    tag: 'credentials',
    summary: "A credential's Merkle path to an issuance root the gatekeeper accepts now",
    auth: 'public',
    params: credentials.credentialParams,
    response: { description: 'the path', schema: credentials.credentialPath },
    errors: ['NOT_FOUND', 'CHAIN_UNAVAILABLE', 'SIGNER_UNAVAILABLE'],
  },
  revocationPath: {
    method: 'get',
    path: '/v1/credentials/:id/revocation-path',
    tag: 'credentials',
    summary: "A credential's path to the registry's current revocation root (its leaf 0: not revoked)",
    auth: 'public',
    params: credentials.credentialParams,
    response: { description: 'the path', schema: credentials.revocationPath },
    errors: ['NOT_FOUND', 'CREDENTIAL_UNUSABLE', 'CHAIN_UNAVAILABLE'],
  },
  zkParameters: {
    method: 'get',
    path: '/v1/zk',
    tag: 'credentials',
    summary: "Chain, gatekeeper, each policy's zero-knowledge parameters and the circuit artifacts",
    auth: 'public',
    response: { description: 'the parameters', schema: credentials.zkParameters },
    errors: [],
  },
  circuitWasm: {
    method: 'get',
    path: '/zk/credential.wasm',
    tag: 'credentials',
    summary: "The circuit's witness calculator (its sha256 is in /v1/zk)",
    auth: 'public',
    response: { description: 'WebAssembly', contentType: 'application/wasm' },
    errors: [],
  },
  circuitZkey: {
    method: 'get',
    path: '/zk/credential.zkey',
    tag: 'credentials',
    summary: "The circuit's Groth16 proving key (its sha256 is in /v1/zk)",
    auth: 'public',
    response: { description: 'the proving key', contentType: 'application/octet-stream' },
    errors: [],
  },
  circuitVerificationKey: {
    method: 'get',
    path: '/zk/verification_key.json',
    tag: 'credentials',
    summary: "The circuit's verification key",
    auth: 'public',
    response: { description: 'the snarkjs verification key', contentType: 'application/json' },
    errors: [],
  },
  kycWebhook: {
    method: 'post',
    path: '/v1/kyc/webhook',
    tag: 'screening',
    summary: "A KYC provider's decision, signed with the shared secret",
    description:
      'X-Custos-Signature: sha256=<hex> is the HMAC-SHA256 of `<X-Custos-Timestamp>.<raw body>`. Refused when older than the tolerance, further ahead than the skew, or replayed.',
    auth: 'webhook',
    headers: kyc.webhookHeaders,
    body: kyc.kycWebhookBody,
    response: { description: 'whether the decision was applied (and why not)', schema: kyc.kycResult },
    errors: ['WEBHOOK_REJECTED', 'WEBHOOK_REPLAYED', 'NOT_FOUND', 'RATE_LIMITED'],
  },
  setKyc: {
    method: 'put',
    path: '/v1/kyc/:subject',
    tag: 'screening',
    summary: "An officer's KYC decision (`custos kyc set`): stored and audited when it arrives",
    auth: officers,
    params: kyc.kycParams,
    body: kyc.kycOfficerBody,
    response: { description: 'applied', schema: kyc.kycResult },
    errors: [],
  },
  loadSanctions: {
    method: 'post',
    path: '/v1/sanctions',
    tag: 'screening',
    summary: 'Load a sanctions or deny list version (`custos sanctions load`)',
    description:
      'The file itself (?name=&format=), streamed up to SANCTIONS_BODY_LIMIT, or JSON { name, format?, content } up to 1 MB.',
    auth: officers,
    query: sanctions.sanctionsUploadQuery.partial(),
    body: sanctions.sanctionsJsonBody,
    rawBody: {
      types: sanctions.RAW_LIST_TYPES,
      description: 'OFAC SDN.CSV, sdn_advanced.xml or address[,label] lines',
    },
    response: { description: 'the version loaded', schema: sanctions.loadedList },
    accepted: {
      description: 'FOUR_EYES with sanctions-load: loading a list waits for a second officer',
      schema: approvals.approvalPending,
    },
    fourEyes: 'sanctions-load',
    errors: ['BUSY'],
  },
  revoke: {
    method: 'post',
    path: '/v1/revocations',
    tag: 'officers',
    summary:
      'Revoke an attestation or credential, or everything of an address (which also holds it); waits for the chain',
    auth: officers,
    body: revocations.revokeRequest,
    response: { description: 'what was revoked, on-chain', schema: revocations.revokeResult },
    accepted: {
      description: 'FOUR_EYES with revoke-address: revoking an address waits for a second officer',
      schema: approvals.approvalPending,
    },
    fourEyes: 'revoke-address',
    errors: ['NOT_FOUND', 'ALREADY_REVOKED', 'CHAIN_UNAVAILABLE'],
  },
  bulkRevoke: {
    method: 'post',
    path: '/v1/revocations/bulk',
    tag: 'officers',
    summary: 'Revoke many uids or addresses in the background, in on-chain batches (`custos revoke --file`)',
    description:
      'Answers 202 with the job at once; GET /v1/revocations/bulk/{id} follows it. Resumable: a restart picks the job up where it stopped.',
    auth: officers,
    body: revocations.bulkRevokeRequest,
    bodyLimit: '1mb',
    response: { description: 'the job (answered as 202)', schema: revocations.bulkRevocationAccepted },
    accepted: {
      description: 'the job, or (FOUR_EYES with bulk-revoke) the approval it waits for',
      schema: revocations.bulkRevocationAccepted.or(approvals.approvalPending),
    },
    fourEyes: 'bulk-revoke',
    errors: [],
  },
  getBulkRevocation: {
    method: 'get',
    path: '/v1/revocations/bulk/:id',
    tag: 'officers',
    summary: 'How far a bulk revocation got',
    auth: officers,
    params: revocations.bulkRevocationParams,
    response: { description: 'its progress', schema: revocations.bulkRevocationAccepted },
    errors: [],
  },
  listHolds: {
    method: 'get',
    path: '/v1/holds',
    tag: 'officers',
    summary: 'Holds placed by revoking an address (`custos holds list`)',
    auth: ['officer', 'regulator', 'admin'],
    query: revocations.holdListQuery,
    response: { description: 'the holds', schema: revocations.holdList },
    errors: [],
  },
  liftHold: {
    method: 'post',
    path: '/v1/holds/:subject/lift',
    tag: 'officers',
    summary: 'Lift the hold on an address (`custos holds lift`)',
    auth: officers,
    params: revocations.holdParams,
    body: revocations.liftRequest,
    response: { description: 'the holds lifted', schema: revocations.liftResult },
    accepted: {
      description: 'FOUR_EYES with hold-lift: lifting a hold waits for a second officer',
      schema: approvals.approvalPending,
    },
    fourEyes: 'hold-lift',
    errors: ['NOT_FOUND'],
  },
  listKeys: {
    method: 'get',
    path: '/v1/keys',
    tag: 'officers',
    summary: 'Signing keys with their status and on-chain trust window',
    auth: officers,
    response: { description: 'the keys', schema: keys.keyList },
    errors: ['CHAIN_UNAVAILABLE'],
  },
  rotateKey: {
    method: 'post',
    path: '/v1/keys/rotate',
    tag: 'officers',
    summary: 'Rotate to a new signing key; the old one stays trusted for the overlap',
    auth: officers,
    body: keys.rotateRequest,
    response: { description: 'the rotation', schema: keys.rotateResult },
    accepted: {
      description: 'FOUR_EYES with key-rotate: a rotation waits for a second officer',
      schema: approvals.approvalPending,
    },
    fourEyes: 'key-rotate',
    errors: ['SIGNER_UNAVAILABLE', 'CHAIN_UNAVAILABLE'],
  },
  listApprovals: {
    method: 'get',
    path: '/v1/approvals',
    tag: 'officers',
    summary: 'Actions waiting for a second officer, and decided ones (`custos approvals list`)',
    auth: ['officer', 'regulator', 'admin'],
    query: approvals.approvalListQuery,
    response: { description: 'the approvals, newest first', schema: approvals.approvalList },
    errors: [],
  },
  approve: {
    method: 'post',
    path: '/v1/approvals/:id/approve',
    tag: 'officers',
    summary: 'Approve an action another officer requested; it takes effect now (`custos approvals approve`)',
    auth: officers,
    params: approvals.approvalParams,
    response: {
      description: 'the approval, with what the action answered',
      schema: approvals.approvalDecision,
    },
    errors: [
      'APPROVAL_DECIDED',
      'APPROVAL_STALE',
      'SELF_APPROVAL',
      'REQUESTER_REVOKED',
      'ALREADY_REVOKED',
      'CHAIN_UNAVAILABLE',
      'SIGNER_UNAVAILABLE',
      'BUSY',
      'VALIDATION_FAILED',
    ],
  },
  reject: {
    method: 'post',
    path: '/v1/approvals/:id/reject',
    tag: 'officers',
    summary: 'Reject an action waiting for approval (`custos approvals reject`)',
    auth: officers,
    params: approvals.approvalParams,
    body: approvals.rejectRequest,
    response: { description: 'the approval', schema: approvals.approvalDecision },
    errors: ['APPROVAL_DECIDED'],
  },
  emergencyState: {
    method: 'get',
    path: '/v1/emergency',
    tag: 'officers',
    summary:
      'Whether the emergency stop is on, and whether the gatekeeper follows (`custos emergency status`)',
    auth: anyKey,
    response: { description: 'the emergency stop', schema: emergency.emergencyState },
    errors: [],
  },
  emergencyPause: {
    method: 'post',
    path: '/v1/emergency/pause',
    tag: 'officers',
    summary:
      'Turn the emergency stop on: every replica refuses new attestations and credentials, the gatekeeper pauses (`custos emergency pause`)',
    auth: officers,
    body: emergency.emergencyRequest,
    response: { description: 'the emergency stop, on', schema: emergency.emergencyState },
    errors: ['ALREADY_PAUSED'],
  },
  emergencyUnpause: {
    method: 'post',
    path: '/v1/emergency/unpause',
    tag: 'officers',
    summary: 'Turn the emergency stop off, an admin only (`custos emergency unpause`)',
    auth: ['admin'],
    body: emergency.emergencyRequest,
    response: { description: 'the emergency stop, off', schema: emergency.emergencyState },
    accepted: {
      description: 'FOUR_EYES with emergency-unpause: it waits for a second admin',
      schema: approvals.approvalPending,
    },
    fourEyes: 'emergency-unpause',
    errors: ['NOT_PAUSED'],
  },
  createTenant: {
    method: 'post',
    path: '/v1/admin/tenants',
    tag: 'admin',
    summary: 'Create a tenant (`custos tenants create`)',
    auth: ['admin'],
    body: admin.createTenantRequest,
    response: { description: 'the tenant', schema: admin.tenantView },
    errors: ['ALREADY_EXISTS'],
  },
  listTenants: {
    method: 'get',
    path: '/v1/admin/tenants',
    tag: 'admin',
    summary: 'Every tenant (`custos tenants list`)',
    auth: ['admin'],
    response: { description: 'the tenants', schema: admin.tenantList },
    errors: [],
  },
  createApiKey: {
    method: 'post',
    path: '/v1/admin/api-keys',
    tag: 'admin',
    summary:
      'Create an API key for a tenant and a role; the secret is answered once (`custos api-keys create`)',
    auth: ['admin'],
    body: admin.createApiKeyRequest,
    response: { description: 'the key and its secret', schema: admin.createdApiKey },
    errors: ['NOT_FOUND'],
  },
  listApiKeys: {
    method: 'get',
    path: '/v1/admin/api-keys',
    tag: 'admin',
    summary: 'API keys, never their secrets (`custos api-keys list`)',
    auth: ['admin'],
    query: admin.apiKeyListQuery,
    response: { description: 'the keys', schema: admin.apiKeyList },
    errors: ['NOT_FOUND'],
  },
  revokeApiKey: {
    method: 'post',
    path: '/v1/admin/api-keys/:id/revoke',
    tag: 'admin',
    summary: 'Revoke an API key: refused on every replica at once (`custos api-keys revoke`)',
    auth: ['admin'],
    params: admin.apiKeyParams,
    response: { description: 'the key', schema: admin.apiKeyView },
    errors: ['ALREADY_REVOKED'],
  },
  rotateApiKey: {
    method: 'post',
    path: '/v1/admin/api-keys/:id/rotate',
    tag: 'admin',
    summary: 'A new secret for an API key; the old one works for the overlap (`custos api-keys rotate`)',
    auth: ['admin'],
    params: admin.apiKeyParams,
    body: admin.rotateApiKeyRequest,
    response: { description: 'the new key with its secret, and the old one', schema: admin.rotatedApiKey },
    errors: ['ALREADY_REVOKED'],
  },
  verifyAudit: {
    method: 'get',
    path: '/v1/audit/verify',
    tag: 'audit',
    summary: 'Recompute the hash chain and check it against the on-chain anchors and the signed checkpoints',
    auth: readers,
    response: {
      description: 'every broken link, and how far each protection reaches',
      schema: audit.auditVerification,
    },
    errors: ['CHAIN_UNAVAILABLE'],
  },
  verifyCheckpoint: {
    method: 'post',
    path: '/v1/audit/checkpoints/verify',
    tag: 'audit',
    summary: 'Check a checkpoint saved earlier against the log now',
    auth: readers,
    body: audit.signedCheckpoint,
    response: {
      description: 'whether the log still holds the signed head',
      schema: audit.savedCheckpointVerification,
    },
    errors: [],
  },
  auditEvents: {
    method: 'get',
    path: '/v1/audit/events',
    tag: 'audit',
    summary:
      'Audit events by subject, type, attestation, tenant and time, in chain order (the read is audited)',
    auth: readers,
    query: audit.auditEventsQuery,
    response: { description: 'a page of events', schema: audit.auditEventPage },
    errors: [],
  },
  auditEvent: {
    method: 'get',
    path: '/v1/audit/events/:seq',
    tag: 'audit',
    summary: 'One audit event, with its on-chain anchor and inclusion proof',
    auth: readers,
    params: audit.auditEventParams,
    response: { description: 'the event', schema: audit.auditEventWithAnchor },
    errors: ['NOT_FOUND'],
  },
  auditExport: {
    method: 'get',
    path: '/v1/audit/export',
    tag: 'audit',
    summary: 'The same filters, streamed as JSON Lines or CSV (`custos audit export`)',
    auth: readers,
    query: audit.auditExportQuery,
    response: { description: 'one event per line', contentType: 'application/x-ndjson' },
    errors: [],
  },
  auditStatus: {
    method: 'get',
    path: '/v1/audit/status',
    tag: 'audit',
    summary: 'Log head, anchoring progress, the latest signed checkpoints, chain indexer cursor',
    auth: readers,
    response: { description: 'the status', schema: audit.auditStatus },
    errors: [],
  },
  chainEvents: {
    method: 'get',
    path: '/v1/audit/chain-events',
    tag: 'audit',
    summary: 'Indexed contract events about a subject or an attestation: on-chain uses and revocations',
    auth: readers,
    query: audit.chainEventsQuery,
    response: { description: 'the events', schema: audit.chainEvents },
    errors: [],
  },
  reconcile: {
    method: 'get',
    path: '/v1/reconcile',
    tag: 'officers',
    summary: 'Every disagreement between the database and the chain (`custos reconcile`)',
    auth: officers,
    response: { description: 'the disagreements', schema: audit.reconciliation },
    errors: [],
  },
  listExecutions: {
    method: 'get',
    path: '/v1/agents/executions',
    tag: 'agents',
    summary: "Executions of the caller's tenants' agents, newest first (filter by agent, caller, status)",
    auth: tenantKeys,
    query: agents.executionListQuery,
    response: { description: 'the executions', schema: agents.executionList },
    errors: [],
  },
  claimExecution: {
    method: 'post',
    path: '/v1/agents/executions/claim',
    tag: 'agents',
    summary: "Lease the oldest authorised execution of the executor's tenant (or one whose lease expired)",
    description:
      'One at a time. The caller is checked again first (screening, holds, a revoked attestation, access): one that fails now is refused and the next one is tried. Answers { execution: null } when nothing waits.',
    auth: ['executor'],
    body: agents.claimRequest,
    response: { description: 'the execution, leased to this key', schema: agents.claimResult },
    errors: ['CHAIN_UNAVAILABLE', 'PAUSED'],
  },
  reportExecution: {
    method: 'post',
    path: '/v1/agents/executions/:id/result',
    tag: 'agents',
    summary: "Report a leased execution's outcome and the units it used (its claimant only, once)",
    auth: ['executor'],
    params: agents.executionParams,
    body: agents.resultRequest,
    response: { description: 'the finished execution', schema: agents.executionResult },
    errors: ['EXECUTION_FINISHED', 'LEASE_NOT_HELD'],
  },
  listAgents: {
    method: 'get',
    path: '/v1/agents',
    tag: 'agents',
    summary: "The configured agents of the caller's tenants (`custos agents list`)",
    auth: tenantKeys,
    response: { description: 'the agents', schema: agents.agentList },
    errors: [],
  },
  getAgent: {
    method: 'get',
    path: '/v1/agents/:agentId',
    tag: 'agents',
    summary: "An agent's configuration and its executions by state (`custos agents show`)",
    auth: tenantKeys,
    params: agents.agentParams,
    response: { description: 'the agent', schema: agents.agentResult },
    errors: [],
  },
  configureAgent: {
    method: 'put',
    path: '/v1/agents/:agentId',
    tag: 'agents',
    summary:
      'Configure an agent: its owner tenant (admins), access and per-caller quotas (`custos agents quota set`)',
    description:
      "An admin assigns the agent to its owner tenant first; then the owner tenant's officers (and admins) change access and quotas.",
    auth: officers,
    params: agents.agentParams,
    body: agents.agentConfigRequest,
    response: { description: 'the agent', schema: agents.agentResult },
    errors: [],
  },
  agentUsage: {
    method: 'get',
    path: '/v1/agents/:agentId/usage',
    tag: 'agents',
    summary:
      'Executions and units per caller in a period, as JSON or CSV for billing (`custos agents usage`)',
    auth: tenantKeys,
    params: agents.agentParams,
    query: agents.usageQuery,
    response: { description: 'usage per caller (text/csv with format=csv)', schema: agents.agentUsage },
    errors: [],
  },
} as const satisfies Record<string, Operation>;

export type Operations = typeof operations;
export type OperationId = keyof Operations;

type SchemaOf<O, K extends string> = O extends Record<K, infer S extends z.ZodType> ? S : undefined;
type InputOf<S> = S extends z.ZodType ? z.input<S> : undefined;
type OutputOf<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a client sends to operation `O`, before validation (e.g. an address in any accepted case). */
export type RequestOf<O extends Operation> = {
  params: InputOf<SchemaOf<O, 'params'>>;
  query: InputOf<SchemaOf<O, 'query'>>;
  headers: InputOf<SchemaOf<O, 'headers'>>;
  body: InputOf<SchemaOf<O, 'body'>>;
};

/** What operation `O` answers with (200, or 202 where it has one), as the JSON a client receives. */
export type ResponseOf<O extends Operation> =
  | (O['response'] extends { schema: infer S extends z.ZodType } ? z.output<S> : string)
  | (O['accepted'] extends { schema: infer A extends z.ZodType } ? z.output<A> : never);

/** What the service's handler receives once the request is validated. */
export type ValidatedRequestOf<O extends Operation> = {
  params: OutputOf<SchemaOf<O, 'params'>>;
  query: OutputOf<SchemaOf<O, 'query'>>;
  headers: OutputOf<SchemaOf<O, 'headers'>>;
  body: OutputOf<SchemaOf<O, 'body'>>;
};

/** Operations that answer without touching the database (static documents, files, liveness). */
const STATIC: ReadonlySet<string> = new Set([
  '/healthz',
  '/metrics',
  '/openapi.json',
  '/docs',
  '/explorer',
  '/zk/credential.wasm',
  '/zk/credential.zkey',
  '/zk/verification_key.json',
]);

/**
 * Every error code `op` can answer with: its own, and those that come with how it is called (authentication, a
 * validated request, a JSON body, the database).
 */
export function errorsOf(op: Operation): ErrorCode[] {
  const codes = new Set<ErrorCode>(op.errors);
  if (typeof op.auth !== 'string') {
    for (const code of ['UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED'] as const) codes.add(code);
    if (op.auth.includes('regulator')) codes.add('IDENTITY_PROVIDER_UNAVAILABLE');
  }
  if (op.params || op.query || op.headers || op.body) codes.add('VALIDATION_FAILED');
  // A path parameter names something that may not exist (or that belongs to another tenant).
  if (op.params) codes.add('NOT_FOUND');
  if (op.body)
    for (const code of ['MALFORMED_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'] as const)
      codes.add(code);
  if (!STATIC.has(op.path)) codes.add('DATABASE_UNAVAILABLE');
  return [...codes];
}
