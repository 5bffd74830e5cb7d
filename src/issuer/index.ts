// Issuance: EIP-712 attestations signed by a Custos signer.
export {
  ATTESTATION_TYPES,
  eip712Attestation,
  issueEip712Attestation,
  type AttestationRecord,
  type AttestationDomain,
  type AttestationMessage,
  type Eip712Attestation,
  type IssueEip712Parameters,
} from './typedData.js';
