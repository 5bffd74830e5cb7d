// What Custos returns, in the shape the contracts take it: the EIP-712 attestation as the gatekeeper's Attestation
// struct, and a proof as ZkCredentials.CredentialProof (numbers as bigint, as ethers v6 and viem both encode them).
import type { z } from 'zod';
import type { contractProof, eip712Attestation, eip712BatchAttestation } from '../api/index.js';

export type Hex = `0x${string}`;

/** The parts of `POST /v1/attest`'s EIP-712 answer a contract reads. */
export type Eip712Attestation = Pick<z.output<typeof eip712Attestation>, 'message' | 'signature'>;
/** The parts of `POST /v1/attest`'s eip712-batch answer the gatekeeper reads. */
export type Eip712BatchAttestation = Pick<z.output<typeof eip712BatchAttestation>, 'message' | 'batch'>;
/** A proof as proveCredential or a custodial groth16 attestation returns it. */
export type ContractProof = z.output<typeof contractProof>;

/** IComplianceGatekeeper.Attestation. */
export interface AttestationStruct {
  uid: Hex;
  subject: Hex;
  policyId: Hex;
  issuedAt: bigint;
  expiresAt: bigint;
}

type Pair = readonly [bigint, bigint];

/** IZkCredentials.CredentialProof. */
export interface CredentialProofStruct {
  a: Pair;
  b: readonly [Pair, Pair];
  c: Pair;
  nullifier: bigint;
  issuanceRoot: bigint;
  revocationRoot: bigint;
  timestamp: bigint;
  todayYmd: bigint;
}

function hex(value: string, what: string): Hex {
  if (!/^0x[0-9a-fA-F]*$/.test(value)) throw new TypeError(`${what} must be 0x-prefixed hex, got ${value}`);
  return value as Hex;
}

/**
 * `[attestation, signature]`: the two arguments of `submitAttestation`, and of a gated contract's function taking
 * an attestation (`mintWithAttestation(...attestationArgs(a), amount)`, `depositWithAttestation(...)`).
 */
export function attestationArgs(attestation: Eip712Attestation): readonly [AttestationStruct, Hex] {
  return [attestationStruct(attestation.message), hex(attestation.signature, 'signature')] as const;
}

/** An eip712-batch attestation (it has `batch`) rather than a signed one. */
export function isBatchAttestation(
  attestation: Eip712Attestation | Eip712BatchAttestation,
): attestation is Eip712BatchAttestation {
  return 'batch' in attestation;
}

/** `[attestation, root, rootSignature, proof]`: the arguments of `submitBatchedAttestation`. */
export function batchedAttestationArgs(
  attestation: Eip712BatchAttestation,
): readonly [AttestationStruct, Hex, Hex, readonly Hex[]] {
  const { root, signature, proof } = attestation.batch;
  return [
    attestationStruct(attestation.message),
    hex(root, 'batch root'),
    hex(signature, 'batch signature'),
    proof.map((node) => hex(node, 'batch proof')),
  ] as const;
}

function attestationStruct(message: Eip712Attestation['message']): AttestationStruct {
  return {
    uid: hex(message.uid, 'uid'),
    subject: hex(message.subject, 'subject'),
    policyId: hex(message.policyId, 'policyId'),
    issuedAt: BigInt(message.issuedAt),
    expiresAt: BigInt(message.expiresAt),
  };
}

/** The `proof` argument of `submitProof`, `mintWithProof`, `executeWithProof` and CustosGated's `onlyWithProof`. */
export function proofArg(proof: ContractProof): CredentialProofStruct {
  const pair = ([x, y]: readonly [string, string]): Pair => [BigInt(x), BigInt(y)];
  return {
    a: pair(proof.a),
    b: [pair(proof.b[0]), pair(proof.b[1])],
    c: pair(proof.c),
    nullifier: BigInt(proof.nullifier),
    issuanceRoot: BigInt(proof.issuanceRoot),
    revocationRoot: BigInt(proof.revocationRoot),
    timestamp: BigInt(proof.timestamp),
    todayYmd: BigInt(proof.todayYmd),
  };
}
