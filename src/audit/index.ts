// The audit log: append-only, hash-chained, verifiable.
export {
  appendAuditEvent,
  appendAuditEvents,
  insertAuditEvents,
  placeholders,
  recordAuditEvent,
  type AuditEventInput,
  type ChainedAuditEvent,
  type Transaction,
} from './auditLog.js';
export { type AuditRecord } from './chain.js';
export {
  AuditAnchorer,
  batchLeaves,
  verifyAnchors,
  type AnchorMismatch,
  type AnchorPolicy,
  type AnchorVerification,
  type AnchoredBatch,
} from './anchoring.js';
export {
  AuditCheckpointer,
  checkpointSignatureValid,
  latestCheckpoints,
  signerTrustOnChain,
  verifyCheckpoints,
  verifySavedCheckpoint,
  type CheckpointVerification,
  type SignedCheckpoint,
} from './checkpoints.js';
export { verifyAuditLog, type AuditLogVerification } from './verifyLog.js';
export { AuditEncodingError, canonicalJson, toJsonValue, type JsonValue } from './canonical.js';
export { AUDIT_EVENT_TYPES, type AuditEventType } from './eventTypes.js';
export { inclusionProof, merkleRoot, verifyInclusion } from './merkle.js';
export {
  auditEventView,
  queryAuditEvents,
  streamAuditEvents,
  type AuditEventView,
  type AuditFilters,
} from './query.js';
export { inScope, tenantInScope } from './scope.js';
export { MAX_REPORTED_BREAKS, verifyAuditChain, type ChainBreak, type ChainVerification } from './verify.js';
