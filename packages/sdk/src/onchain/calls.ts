// The contract calls that spend a Custos attestation or proof, as library-neutral descriptions (address, typed ABI,
// function, arguments): the ethers and viem helpers send exactly these.
import { complianceGatekeeperAbi, compliantTokenAbi } from '@custos/contracts';
import {
  attestationArgs,
  batchedAttestationArgs,
  proofArg,
  type ContractProof,
  type Eip712Attestation,
  type Eip712BatchAttestation,
  type Hex,
} from './args.js';

/** A signed (eip712) attestation goes to submitAttestation, a leaf of a batch (eip712-batch) to submitBatchedAttestation. */
export interface SubmitAttestationParameters {
  gatekeeper: string;
  attestation: Eip712Attestation | Eip712BatchAttestation;
}

export interface SubmitBatchedAttestationParameters {
  gatekeeper: string;
  attestation: Eip712BatchAttestation;
}

/** A custodial groth16 attestation has these fields: `{ gatekeeper, ...attestation }`. */
export interface SubmitProofParameters {
  gatekeeper: string;
  policyId: string;
  recipient: string;
  proof: ContractProof;
}

export interface MintWithAttestationParameters {
  token: string;
  attestation: Eip712Attestation;
  amount: bigint;
}

export interface MintWithProofParameters {
  token: string;
  to: string;
  amount: bigint;
  proof: ContractProof;
}

const hex = (value: string) => value as Hex;

/** `gatekeeper.submitAttestation(attestation, signature)`: records the subject as compliant until it expires. */
export const submitAttestationCall = ({
  gatekeeper,
  attestation,
}: {
  gatekeeper: string;
  attestation: Eip712Attestation;
}) =>
  ({
    address: hex(gatekeeper),
    abi: complianceGatekeeperAbi,
    functionName: 'submitAttestation',
    args: attestationArgs(attestation),
  }) as const;

/**
 * `gatekeeper.submitBatchedAttestation(attestation, root, rootSignature, proof)`: records the subject as compliant
 * until it expires (the first leaf of a batch also verifies and remembers the root's signature).
 */
export const submitBatchedAttestationCall = ({
  gatekeeper,
  attestation,
}: SubmitBatchedAttestationParameters) =>
  ({
    address: hex(gatekeeper),
    abi: complianceGatekeeperAbi,
    functionName: 'submitBatchedAttestation',
    args: batchedAttestationArgs(attestation),
  }) as const;

/** `gatekeeper.submitProof(policyId, recipient, proof)`: records `recipient` as compliant. */
export const submitProofCall = ({ gatekeeper, policyId, recipient, proof }: SubmitProofParameters) =>
  ({
    address: hex(gatekeeper),
    abi: complianceGatekeeperAbi,
    functionName: 'submitProof',
    args: [hex(policyId), hex(recipient), proofArg(proof)],
  }) as const;

/** `token.mintWithAttestation(attestation, signature, amount)` on CompliantToken (the sender needs MINTER_ROLE). */
export const mintWithAttestationCall = ({ token, attestation, amount }: MintWithAttestationParameters) =>
  ({
    address: hex(token),
    abi: compliantTokenAbi,
    functionName: 'mintWithAttestation',
    args: [...attestationArgs(attestation), amount],
  }) as const;

/** `token.mintWithProof(to, amount, proof)` on CompliantToken (the sender needs MINTER_ROLE). */
export const mintWithProofCall = ({ token, to, amount, proof }: MintWithProofParameters) =>
  ({
    address: hex(token),
    abi: compliantTokenAbi,
    functionName: 'mintWithProof',
    args: [hex(to), amount, proofArg(proof)],
  }) as const;
