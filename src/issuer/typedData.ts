import { TypedDataEncoder, getAddress, hexlify, randomBytes } from 'ethers';
import { policyIdOf } from '../chain/index.js';
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

export interface Eip712Attestation {
  uid: string;
  format: 'eip712';
  policy: string;
  subject: string;
  issuedAt: number;
  expiresAt: number;
  signer: string;
  domain: AttestationDomain;
  types: typeof ATTESTATION_TYPES;
  message: AttestationMessage;
  signature: string;
}

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
}

/**
 * Builds and signs an attestation ready for `submitAttestation(message, signature)` or `mintWithAttestation`; it
 * verifies with ethers' and viem's `verifyTypedData` against `domain`, `types` and `message`.
 */
export async function issueEip712Attestation(params: IssueEip712Parameters): Promise<Eip712Attestation> {
  const domain: AttestationDomain = {
    name: 'Custos',
    version: '1',
    chainId: params.chainId,
    verifyingContract: getAddress(params.gatekeeper),
  };
  const message: AttestationMessage = {
    uid: params.uid ?? hexlify(randomBytes(32)),
    subject: getAddress(params.subject),
    policyId: policyIdOf(params.policy),
    issuedAt: params.issuedAt,
    expiresAt: params.issuedAt + params.lifetimeSeconds,
  };
  const digest = TypedDataEncoder.hash(domain, ATTESTATION_TYPES, message);
  const signature = await params.signer.signDigest(digest);
  return {
    uid: message.uid,
    format: 'eip712',
    policy: params.policy,
    subject: message.subject,
    issuedAt: message.issuedAt,
    expiresAt: message.expiresAt,
    signer: params.signer.address,
    domain,
    types: ATTESTATION_TYPES,
    message,
    signature: signature.serialized,
  };
}
