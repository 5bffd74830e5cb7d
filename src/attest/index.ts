// Attestation use cases: issue (screen, sign, record) and revoke.
export {
  AttestationService,
  ISSUANCE_CLOCK_SKEW_SECONDS,
  storedAction,
  storedBatch,
  type IssuedAttestation,
  type AttestRequest,
  type AttestationServiceOptions,
} from './attestationService.js';
export {
  DELEGATION_MAX_AGE_SECONDS,
  DelegationService,
  type DelegateRequest,
  type DelegationServiceOptions,
} from './delegationService.js';
export { resolveAction } from './attestedAction.js';
export { createIssuanceLog, type IssuanceEntry } from './issuanceLog.js';
export { RevocationService, type RevokeRequest, type RevokeResult } from './revocationService.js';
export { policyNamed, screenOrRefuse, type AuditedDecision } from './screenOrRefuse.js';
export { BULK_BATCH, BulkRevocations, type BulkRevocationView } from './bulkRevocations.js';
