// Issuance: EIP-712 attestations and zero-knowledge issuance roots, signed by a Custos signer.
export {
  ACTION_ATTESTATION_TYPES,
  ATTESTATION_TYPES,
  ATTESTATION_BATCH_TYPES,
  attestationBatchDigest,
  attestationDigest,
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
  type AttestedAction,
  type Eip712ActionAttestation,
  type Eip712RecordAttestation,
  type Eip712Attestation,
  type IssueEip712Parameters,
} from './typedData.js';
export {
  DELEGATION_TYPES,
  delegationDigest,
  delegationMessage,
  signedDelegation,
  type DelegationMessage,
  type DelegationPermission,
  type DelegationRecord,
  type SignedDelegation,
} from './delegation.js';
export {
  eip712BatchAttestation,
  issueBatch,
  type AttestationBatchProof,
  type BatchLeafRecord,
  type Eip712BatchAttestation,
} from './batchAttestation.js';
export { attestationLeaf, buildBatchTree, verifyBatchProof, type BatchTree } from './batchTree.js';
