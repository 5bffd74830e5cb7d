// What @custos/sdk/ethers and @custos/sdk/viem both export: the contracts' argument shapes, the calls' parameters and
// the named revert error.
export {
  attestationArgs,
  batchedAttestationArgs,
  isBatchAttestation,
  proofArg,
  type AttestationStruct,
  type ContractProof,
  type CredentialProofStruct,
  type Eip712Attestation,
  type Eip712BatchAttestation,
} from './args.js';
export type {
  MintWithAttestationParameters,
  MintWithProofParameters,
  SubmitAttestationParameters,
  SubmitBatchedAttestationParameters,
  SubmitProofParameters,
} from './calls.js';
export { CustosRevertError, withCustosErrors } from './revert.js';
