import { randomBytes } from 'node:crypto';
import { TypedDataEncoder, getAddress, id, keccak256 } from 'ethers';
import { policyIdOf } from '../chain/policyId.js';
import { serializeSignature, type AttestationSigner } from '../signers/index.js';

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

/** keccak256 of `Attestation(bytes32 uid,address subject,...)`: the contract's ATTESTATION_TYPEHASH. */
const ATTESTATION_TYPEHASH = Buffer.from(
  id(TypedDataEncoder.from(ATTESTATION_TYPES).encodeType('Attestation')).slice(2),
  'hex',
);
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Writes a 0x-prefixed hex value right-aligned in the 32-byte word at `offset` (the word is zeroed first). */
function putHex(word: Buffer, offset: number, value: string, pattern: RegExp, field: string): void {
  if (!pattern.test(value)) throw new TypeError(`attestation ${field}: ${value} is malformed`);
  word.fill(0, offset, offset + 32);
  word.write(value.slice(2), offset + 32 - (value.length - 2) / 2, 'hex');
}

/** Writes a uint64 (a safe integer: the values are unix seconds) as a 32-byte big-endian word. */
function putUint64(word: Buffer, offset: number, value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new TypeError(`attestation ${field}: ${value} is not a uint64`);
  word.fill(0, offset, offset + 24);
  word.writeUInt32BE(Math.floor(value / 2 ** 32), offset + 24);
  word.writeUInt32BE(value >>> 0, offset + 28);
}

/**
 * `compute` remembered by `keyOf` its argument. The arguments here are policy names, gatekeeper addresses and
 * domains: a service has a handful, so the bound only guards against a caller that varies them.
 */
function remembered<A, T>(keyOf: (argument: A) => string, compute: (argument: A) => T): (argument: A) => T {
  const values = new Map<string, T>();
  return (argument) => {
    const key = keyOf(argument);
    let value = values.get(key);
    if (value === undefined) {
      value = compute(argument);
      if (values.size >= 256) values.clear();
      values.set(key, value);
    }
    return value;
  };
}

const itself = (value: string) => value;
const checksummed = remembered(itself, getAddress);
const policyIdNamed = remembered(itself, policyIdOf);
const domainSeparatorOf = remembered(
  (d: AttestationDomain) => `${d.name}\0${d.version}\0${d.chainId}\0${d.verifyingContract}`,
  (d) => Buffer.from(TypedDataEncoder.hashDomain(d).slice(2), 'hex'),
);

/**
 * keccak256(ATTESTATION_TYPEHASH || uid || subject || policyId || issuedAt || expiresAt): the EIP-712 struct hash of
 * an attestation, every field one 32-byte word (all five are static types), with the type hash computed once.
 */
export function attestationStructHash(message: AttestationMessage): Buffer {
  const struct = Buffer.allocUnsafe(192);
  ATTESTATION_TYPEHASH.copy(struct, 0);
  putHex(struct, 32, message.uid, BYTES32, 'uid');
  putHex(struct, 64, message.subject, ADDRESS, 'subject');
  putHex(struct, 96, message.policyId, BYTES32, 'policyId');
  putUint64(struct, 128, message.issuedAt, 'issuedAt');
  putUint64(struct, 160, message.expiresAt, 'expiresAt');
  return Buffer.from(keccak256(struct).slice(2), 'hex');
}

/** keccak256(0x1901 || domainSeparator || structHash): EIP-712's digest, with the domain separator computed once. */
function typedDataDigest(domain: AttestationDomain, structHash: Buffer): string {
  const outer = Buffer.allocUnsafe(66);
  outer[0] = 0x19;
  outer[1] = 0x01;
  domainSeparatorOf(domain).copy(outer, 2);
  structHash.copy(outer, 34);
  return keccak256(outer);
}

/**
 * The EIP-712 digest of an attestation, as `ComplianceGatekeeper.hashAttestation` computes it: what is left per
 * attestation is two keccaks over 192 and 66 bytes. Equal to ethers' TypedDataEncoder.hash (tested).
 */
export function attestationDigest(domain: AttestationDomain, message: AttestationMessage): string {
  return typedDataDigest(domain, attestationStructHash(message));
}

/** The EIP-712 type of a signed batch root, as ComplianceGatekeeper.submitBatchedAttestation checks it. */
export const ATTESTATION_BATCH_TYPES = { AttestationBatch: [{ name: 'root', type: 'bytes32' }] };

const ATTESTATION_BATCH_TYPEHASH = Buffer.from(
  id(TypedDataEncoder.from(ATTESTATION_BATCH_TYPES).encodeType('AttestationBatch')).slice(2),
  'hex',
);

/** The EIP-712 digest of `AttestationBatch(root)` in the gatekeeper's domain: what the active key signs per batch. */
export function attestationBatchDigest(domain: AttestationDomain, root: string): string {
  const struct = Buffer.allocUnsafe(64);
  ATTESTATION_BATCH_TYPEHASH.copy(struct, 0);
  putHex(struct, 32, root, BYTES32, 'batch root');
  return typedDataDigest(domain, Buffer.from(keccak256(struct).slice(2), 'hex'));
}

/**
 * Builds and signs an attestation ready for `submitAttestation(message, signature)` or `mintWithAttestation`; it
 * verifies with ethers' and viem's `verifyTypedData` against `domain`, `types` and `message`.
 */
export async function issueEip712Attestation(params: IssueEip712Parameters): Promise<Eip712Attestation> {
  const unsigned = eip712Attestation({
    uid: params.uid ?? `0x${randomBytes(32).toString('hex')}`,
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
  // A plain attestation (the hot path) by its lean digest; an action-bound one through ethers' encoder.
  const digest = params.action
    ? TypedDataEncoder.hash(unsigned.domain, unsigned.types, unsigned.message)
    : attestationDigest(unsigned.domain, unsigned.message);
  return { ...unsigned, signature: serializeSignature(await params.signer.signDigest(digest)) };
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
    policyId: policyIdNamed(record.policy),
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
  return { name: 'Custos', version: '1', chainId, verifyingContract: checksummed(gatekeeper) };
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
