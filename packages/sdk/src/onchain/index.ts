// What @custos/sdk/ethers and @custos/sdk/viem both export: the contracts' argument shapes, the calls' parameters and
// the named revert error.
export {
  attestationArgs,
  proofArg,
  type AttestationStruct,
  type ContractProof,
  type CredentialProofStruct,
  type Eip712Attestation,
} from './args.js';
export type {
  MintWithAttestationParameters,
  MintWithProofParameters,
  SubmitAttestationParameters,
  SubmitProofParameters,
} from './calls.js';
export { CustosRevertError, withCustosErrors } from './revert.js';
