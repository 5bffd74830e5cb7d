// Issuance: EIP-712 attestations signed by a Custos signer.
export {
  ATTESTATION_TYPES,
  issueEip712Attestation,
  type AttestationDomain,
  type AttestationMessage,
  type Eip712Attestation,
  type IssueEip712Parameters,
} from './typedData.js';
