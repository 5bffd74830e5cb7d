import { TypedDataEncoder, getAddress, hexlify, randomBytes } from 'ethers';
import { policyIdOf } from '../chain/policyId.js';
import type { AttestationSigner } from '../signers/index.js';

/** The EIP-712 types of a Custos attestation, exactly as ComplianceGatekeeper defines them (version 1). */
export const ATTESTATION_TYPES = {
  Attestation: [
    { name: 'uid', type: 'bytes32' },
    { name: 'subject', type: 'address' },
    { name: 'policyId', type: 'bytes32' },
    { name: 'issuedAt', type: 'uint64' },
    { name: 'expiresAt', type: 'uint64' },
  ],
};

/**
 * The EIP-712 types of an action-bound attestation, exactly as ComplianceGatekeeper.consumeActionAttestation checks
 * them: one call (`selector` on `target`, with arguments hashing to `argsHash`) by `subject`, once.
 */
export const ACTION_ATTESTATION_TYPES = {
  ActionAttestation: [
    { name: 'uid', type: 'bytes32' },
    { name: 'subject', type: 'address' },
    { name: 'policyId', type: 'bytes32' },
    { name: 'target', type: 'address' },
    { name: 'selector', type: 'bytes4' },
    { name: 'argsHash', type: 'bytes32' },
    { name: 'issuedAt', type: 'uint64' },
    { name: 'expiresAt', type: 'uint64' },
  ],
};

/** The call an action-bound attestation is for; `argsHash` is keccak256 of the ABI-encoded arguments. */
export interface AttestedAction {
  target: string;
  /** 0x and 8 hex digits, lower-case. */
  selector: string;
  /** 0x and 64 hex digits, lower-case. */
  argsHash: string;
}

export interface AttestationDomain {
  name: 'Custos';
  version: '1';
  chainId: number;
  verifyingContract: string;
}

export interface AttestationMessage {
  uid: string;
  subject: string;
  policyId: string;
  issuedAt: number;
  expiresAt: number;
}

export type ActionAttestationMessage = AttestationMessage & AttestedAction;

interface Eip712Common {
  uid: string;
  format: 'eip712';
  policy: string;
  subject: string;
  issuedAt: number;
  expiresAt: number;
  signer: string;
  domain: AttestationDomain;
  signature: string;
}

/** An attestation for `submitAttestation`: a compliance record until `expiresAt`. */
export interface Eip712RecordAttestation extends Eip712Common {
  types: typeof ATTESTATION_TYPES;
  message: AttestationMessage;
  action?: undefined;
}

/** An action-bound attestation for one call of `action.target`, which spends it (consumeActionAttestation). */
export interface Eip712ActionAttestation extends Eip712Common {
  types: typeof ACTION_ATTESTATION_TYPES;
  message: ActionAttestationMessage;
  action: AttestedAction;
}

export type Eip712Attestation = Eip712RecordAttestation | Eip712ActionAttestation;

export interface IssueEip712Parameters {
  signer: AttestationSigner;
  subject: string;
  policy: string;
  chainId: number;
  gatekeeper: string;
  /** Unix seconds. */
  issuedAt: number;
  lifetimeSeconds: number;
  /** A fresh random uid when omitted. */
  uid?: string;
  /** Binds the attestation to one call instead of making a record. */
  action?: AttestedAction;
}

/**
 * Builds and signs an attestation ready for `submitAttestation(message, signature)` or `mintWithAttestation`; it
 * verifies with ethers' and viem's `verifyTypedData` against `domain`, `types` and `message`.
 */
export async function issueEip712Attestation(params: IssueEip712Parameters): Promise<Eip712Attestation> {
  const unsigned = eip712Attestation({
    uid: params.uid ?? hexlify(randomBytes(32)),
    subject: params.subject,
    policy: params.policy,
    issuedAt: params.issuedAt,
    expiresAt: params.issuedAt + params.lifetimeSeconds,
    chainId: params.chainId,
    gatekeeper: params.gatekeeper,
    signer: params.signer.address,
    signature: '',
    action: params.action,
  });
  const digest = TypedDataEncoder.hash(unsigned.domain, unsigned.types, unsigned.message);
  return { ...unsigned, signature: (await params.signer.signDigest(digest)).serialized };
}

/** What identifies a signed attestation; everything else in {@link Eip712Attestation} derives from it. */
export interface AttestationRecord {
  uid: string;
  subject: string;
  policy: string;
  issuedAt: number;
  expiresAt: number;
  chainId: number;
  gatekeeper: string;
  signer: string;
  signature: string;
  action?: AttestedAction | undefined;
}

/** Builds the full response shape (domain, types, message) of an attestation, e.g. from its stored row. */
export function eip712Attestation(record: AttestationRecord): Eip712Attestation {
  const domain = custosDomain(record.chainId, record.gatekeeper);
  const message: AttestationMessage = {
    uid: record.uid,
    subject: getAddress(record.subject),
    policyId: policyIdOf(record.policy),
    issuedAt: record.issuedAt,
    expiresAt: record.expiresAt,
  };
  const common = {
    uid: message.uid,
    format: 'eip712' as const,
    policy: record.policy,
    subject: message.subject,
    issuedAt: message.issuedAt,
    expiresAt: message.expiresAt,
    signer: record.signer,
    domain,
    signature: record.signature,
  };
  if (!record.action) return { ...common, types: ATTESTATION_TYPES, message };
  const action = { ...record.action, target: getAddress(record.action.target) };
  // Field order as in ACTION_ATTESTATION_TYPES, so the message reads like the signed struct.
  const { issuedAt, expiresAt, ...identity } = message;
  return {
    ...common,
    types: ACTION_ATTESTATION_TYPES,
    message: { ...identity, ...action, issuedAt, expiresAt },
    action,
  };
}

/** The gatekeeper's EIP-712 domain: bound to the chain and to the gatekeeper's address. */
export function custosDomain(chainId: number, gatekeeper: string): AttestationDomain {
  return { name: 'Custos', version: '1', chainId, verifyingContract: getAddress(gatekeeper) };
}

/** The EIP-712 type of a zero-knowledge issuance root, as ComplianceGatekeeper.submitIssuanceRoot checks it. */
export const ISSUANCE_ROOT_TYPES = {
  IssuanceRoot: [
    { name: 'root', type: 'uint256' },
    { name: 'issuedAt', type: 'uint64' },
  ],
};

/** Signs an issuance root with a Custos signer: the same keys, and the same domain, as attestations. */
export async function signIssuanceRoot(params: {
  signer: AttestationSigner;
  chainId: number;
  gatekeeper: string;
  root: bigint;
  issuedAt: number;
}): Promise<string> {
  const digest = TypedDataEncoder.hash(custosDomain(params.chainId, params.gatekeeper), ISSUANCE_ROOT_TYPES, {
    root: params.root,
    issuedAt: params.issuedAt,
  });
  return (await params.signer.signDigest(digest)).serialized;
}

/**
 * The EIP-712 type of a signed audit checkpoint: the audit log's head (the hash of event `seq`) as the service saw it
 * at `signedAt`. Same keys and domain as attestations, so "was this signer trusted then" is a gatekeeper question.
 */
export const AUDIT_CHECKPOINT_TYPES = {
  AuditCheckpoint: [
    { name: 'seq', type: 'uint64' },
    { name: 'head', type: 'bytes32' },
    { name: 'signedAt', type: 'uint64' },
  ],
};

export interface AuditCheckpointMessage {
  seq: string;
  /** 0x + 64 hex: the stored hash of event `seq`. */
  head: string;
  signedAt: number;
}

export function auditCheckpointDigest(
  chainId: number,
  gatekeeper: string,
  message: AuditCheckpointMessage,
): string {
  return TypedDataEncoder.hash(custosDomain(chainId, gatekeeper), AUDIT_CHECKPOINT_TYPES, message);
}
