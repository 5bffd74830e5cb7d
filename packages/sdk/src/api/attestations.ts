import { z } from 'zod';
import {
  address,
  bytes32,
  calldata,
  fieldElement,
  idempotencyKey,
  policyName,
  selector,
  uid,
  unixSeconds,
} from './primitives.js';

/**
 * The one call an action-bound attestation is for: `selector` on `target` with arguments whose ABI encoding hashes
 * (keccak256) to `argsHash`, or the `calldata` (selector and encoded arguments) from which Custos derives both. The
 * arguments are those the target hashes: for AgentRegistry.executeWithAttestation, `abi.encode(agentId, taskHash)`.
 */
export const attestedAction = z
  .union([
    z.object({ target: address, selector, argsHash: bytes32 }).strict(),
    z.object({ target: address, calldata }).strict(),
  ])
  .meta({
    id: 'AttestedAction',
    description:
      'Binds the attestation to one call: `{ target, selector, argsHash }` or `{ target, calldata }`. It is spent by that call, once, and makes no compliance record.',
  });

const attestCommon = {
  subject: address,
  policy: policyName,
  /** A check only: Custos issues for one chain, and refuses a request naming another. */
  chainId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
};

/**
 * What a dApp sends to `POST /v1/attest`. It chooses only the subject, the policy, the format and (as a check) the
 * chain: never expiry, signer or uid. A groth16 attestation (custodial dApps) adds the holder's identity secret, and
 * optionally who the proof makes compliant and which contract and context will spend it.
 */
export const attestRequest = z
  .preprocess(
    (body) =>
      body && typeof body === 'object' && !Array.isArray(body) && !('format' in body)
        ? { ...body, format: 'eip712' }
        : body,
    z.discriminatedUnion('format', [
      z
        .object({ ...attestCommon, format: z.literal('eip712'), action: attestedAction.optional() })
        .strict()
        .meta({ id: 'Eip712AttestRequest' }),
      z
        .object({ ...attestCommon, format: z.literal('eip712-batch') })
        .strict()
        .meta({
          id: 'Eip712BatchAttestRequest',
          description:
            'A leaf of a batch: requests arriving within ATTEST_BATCH_WINDOW_MS share one Merkle tree whose root alone is signed.',
        }),
      z
        .object({
          ...attestCommon,
          format: z.literal('groth16'),
          identitySecret: fieldElement,
          recipient: address.optional(),
          consumer: address.optional(),
          context: bytes32.optional(),
        })
        .strict()
        .meta({ id: 'Groth16AttestRequest' }),
    ]),
  )
  .meta({
    id: 'AttestRequest',
    description: '`format` defaults to eip712.',
    example: { subject: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', policy: 'kyc-basic' },
  });

export const attestHeaders = z.object({ 'idempotency-key': idempotencyKey.optional() });

const domain = z.object({
  name: z.literal('Custos'),
  version: z.literal('1'),
  chainId: z.number().int(),
  verifyingContract: z.string(),
});

const typedField = z.object({ name: z.string(), type: z.string() });

/** What every EIP-712 answer has; a batch attestation's signature is its batch root's (in `batch`). */
const eip712Shared = {
  uid: z.string(),
  policy: z.string(),
  subject: z.string(),
  issuedAt: unixSeconds,
  expiresAt: unixSeconds,
  signer: z.string(),
  domain,
};

const eip712Common = { ...eip712Shared, format: z.literal('eip712'), signature: z.string() };

const attestationMessage = {
  uid: z.string(),
  subject: z.string(),
  policyId: z.string(),
  issuedAt: unixSeconds,
  expiresAt: unixSeconds,
};

/** The call an issued action attestation is bound to (selector and argsHash derived when calldata was sent). */
export const boundAction = z
  .object({ target: z.string(), selector: z.string(), argsHash: z.string() })
  .meta({ id: 'BoundAction' });

/** An EIP-712 attestation, ready for `submitAttestation(message, signature)` or a gated contract's call. */
export const eip712Attestation = z
  .object({
    ...eip712Common,
    types: z.object({ Attestation: z.array(typedField) }),
    message: z.object(attestationMessage),
  })
  .meta({ id: 'Eip712Attestation' });

/** Where a batch attestation sits in its signed batch. */
export const attestationBatch = z
  .object({
    root: z.string(),
    signature: z.string(),
    proof: z.array(z.string()),
    size: z.number().int().positive(),
  })
  .meta({
    id: 'AttestationBatch',
    description:
      "`root`: the Merkle root of the batch's leaves (leaf = keccak256 of the attestation's EIP-712 struct hash; sorted-pair keccak256 nodes, as OpenZeppelin's MerkleProof); `signature`: the signer's EIP-712 signature of AttestationBatch(bytes32 root) in the attestation's domain; `proof`: the leaf's siblings from the leaf up; `size`: leaves in the batch.",
  });

/** A leaf of a signed batch, ready for `submitBatchedAttestation(message, batch.root, batch.signature, batch.proof)`. */
export const eip712BatchAttestation = z
  .object({
    ...eip712Shared,
    format: z.literal('eip712-batch'),
    types: z.object({ Attestation: z.array(typedField) }),
    message: z.object(attestationMessage),
    batch: attestationBatch,
  })
  .meta({ id: 'Eip712BatchAttestation' });

/**
 * An action-bound EIP-712 attestation (`ActionAttestation`), for one call of `action.target`, which spends it
 * through ComplianceGatekeeper.consumeActionAttestation: e.g. AgentRegistry.executeWithAttestation(agentId,
 * taskHash, message, signature).
 */
export const eip712ActionAttestation = z
  .object({
    ...eip712Common,
    types: z.object({ ActionAttestation: z.array(typedField) }),
    message: z.object({ ...attestationMessage, ...boundAction.shape }),
    action: boundAction,
  })
  .meta({ id: 'Eip712ActionAttestation' });

/** A Groth16 proof in the shape ZkCredentials.CredentialProof takes it (decimal strings). */
export const contractProof = z
  .object({
    a: z.tuple([z.string(), z.string()]),
    b: z.tuple([z.tuple([z.string(), z.string()]), z.tuple([z.string(), z.string()])]),
    c: z.tuple([z.string(), z.string()]),
    nullifier: z.string(),
    issuanceRoot: z.string(),
    revocationRoot: z.string(),
    timestamp: z.string(),
    todayYmd: z.string(),
  })
  .meta({ id: 'ContractProof' });

/** A custodial groth16 attestation: a proof ready for submitProof, mintWithProof or executeWithProof. */
export const groth16Attestation = z
  .object({
    uid: z.string(),
    format: z.literal('groth16'),
    policy: z.string(),
    policyId: z.string(),
    subject: z.string(),
    recipient: z.string(),
    issuedAt: unixSeconds,
    expiresAt: unixSeconds,
    credentialId: z.number().int(),
    credentialExpiresAt: unixSeconds,
    scope: z.object({ consumer: z.string(), context: z.string(), value: z.string() }),
    proof: contractProof,
    publicSignals: z.array(z.string()),
  })
  .meta({ id: 'Groth16Attestation' });

export const attestResponse = z
  .union([eip712ActionAttestation, eip712Attestation, eip712BatchAttestation, groth16Attestation])
  .meta({ id: 'AttestResponse' });

const revocationState = z
  .object({
    revokedAt: z.string().optional(),
    reasonCode: z.string().nullable(),
    reason: z.string().nullable(),
    onChainTx: z.string().nullable().optional(),
    revocationEpoch: z.number().int().nullable().optional(),
    onChainPending: z.boolean(),
  })
  .nullable();

/** An attestation's (or a credential's) status as `GET /v1/attestations` reports it. */
export const attestationStatus = z
  .object({
    uid: z.string(),
    format: z.enum(['eip712', 'eip712-batch', 'groth16']),
    policy: z.string(),
    subject: z.string(),
    issuedAt: unixSeconds,
    expiresAt: unixSeconds,
    signer: z.string().optional(),
    credentialId: z.number().int().optional(),
    action: boundAction.optional(),
    batch: attestationBatch.optional(),
    status: z.enum(['active', 'expired', 'revoked']),
    revocation: revocationState,
    chainId: z.number().int(),
    gatekeeper: z.string(),
  })
  .meta({ id: 'AttestationStatus' });

export const attestationTrailEvent = z.object({
  seq: z.string(),
  type: z.string(),
  actor: z.string(),
  at: z.string(),
  payload: z.unknown(),
});

export const attestationWithTrail = attestationStatus
  .extend({ audit: z.array(attestationTrailEvent) })
  .meta({ id: 'AttestationWithTrail' });

export const attestationParams = z.object({ uid });
export const attestationListQuery = z
  .object({ subject: address, limit: z.coerce.number().int().min(1).max(500).default(100) })
  .strict();
export const attestationList = z.object({ attestations: z.array(attestationStatus) });
