import { randomBytes } from 'node:crypto';
import { serializeSignature, type AttestationSigner } from '../signers/index.js';
import { attestationLeaf, buildBatchTree } from './batchTree.js';
import {
  attestationBatchDigest,
  custosDomain,
  eip712Attestation,
  type AttestationRecord,
  type Eip712RecordAttestation,
} from './typedData.js';

/** Where an attestation sits in its signed batch: `submitBatchedAttestation(message, root, signature, proof)`. */
export interface AttestationBatchProof {
  /** The Merkle root of the batch's leaves. */
  root: string;
  /** The active key's EIP-712 signature of AttestationBatch(root). */
  signature: string;
  /** The siblings of this attestation's leaf, from the leaf up. */
  proof: string[];
  /** Leaves in the batch. */
  size: number;
}

/** A record attestation issued as a leaf of a batch: the root is signed, the attestation itself is not. */
export interface Eip712BatchAttestation extends Omit<Eip712RecordAttestation, 'format' | 'signature'> {
  format: 'eip712-batch';
  batch: AttestationBatchProof;
}

/** Builds the response shape of a batch attestation, e.g. from its stored row and its batch's. */
export function eip712BatchAttestation(
  record: Omit<AttestationRecord, 'signature' | 'action'>,
  batch: AttestationBatchProof,
): Eip712BatchAttestation {
  const a = eip712Attestation({ ...record, signature: '' }) as Eip712RecordAttestation;
  return {
    uid: a.uid,
    format: 'eip712-batch',
    policy: a.policy,
    subject: a.subject,
    issuedAt: a.issuedAt,
    expiresAt: a.expiresAt,
    signer: a.signer,
    domain: a.domain,
    types: a.types,
    message: a.message,
    batch,
  };
}

/** What identifies a leaf before its batch is signed (the signer is the batch's, chosen when it is signed). */
export type BatchLeafRecord = Pick<AttestationRecord, 'subject' | 'policy' | 'issuedAt' | 'expiresAt'>;

/**
 * Issues `records` as one batch for `chain`'s gatekeeper: a fresh uid each, the Merkle tree of their leaves, and one signature of its root by
 * `signer` (one KMS or HSM call for the whole batch). Answers the attestations in the order of `records`.
 */
export async function issueBatch(
  signer: AttestationSigner,
  chain: { chainId: number; gatekeeper: string },
  records: BatchLeafRecord[],
): Promise<Eip712BatchAttestation[]> {
  const unsigned = records.map((record) =>
    eip712BatchAttestation(
      { ...record, ...chain, uid: `0x${randomBytes(32).toString('hex')}`, signer: signer.address },
      { root: '', signature: '', proof: [], size: records.length },
    ),
  );
  const { root, proofs } = buildBatchTree(unsigned.map((a) => attestationLeaf(a.message)));
  const digest = attestationBatchDigest(custosDomain(chain.chainId, chain.gatekeeper), root);
  const signature = serializeSignature(await signer.signDigest(digest));
  return unsigned.map((a, i) => ({
    ...a,
    batch: { root, signature, proof: proofs[i]!, size: records.length },
  }));
}
