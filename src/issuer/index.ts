// Issuance: EIP-712 attestations and zero-knowledge issuance roots, signed by a Custos signer.
export {
  ATTESTATION_TYPES,
  AUDIT_CHECKPOINT_TYPES,
  auditCheckpointDigest,
  type AuditCheckpointMessage,
  ISSUANCE_ROOT_TYPES,
  custosDomain,
  eip712Attestation,
  issueEip712Attestation,
  signIssuanceRoot,
  type AttestationRecord,
  type AttestationDomain,
  type AttestationMessage,
  type Eip712Attestation,
  type IssueEip712Parameters,
} from './typedData.js';
