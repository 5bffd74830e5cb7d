// The Custos API contract: the zod schemas every request is validated with and every response is shaped by, the
// operations table the service registers its routes from and the OpenAPI document is generated from, and the error
// codes. Clients (the SDK's client, the CLI) take their types from here, never restating a shape.
export * from './admin.js';
export * from './agents.js';
export * from './approvals.js';
export * from './attestations.js';
export * from './audit.js';
export { AUDIT_EVENT_TYPES, type AuditEventType } from './auditEventTypes.js';
export { isIso3166Alpha2, iso3166Problem } from './countries.js';
export * from './credentials.js';
export * from './delegations.js';
export * from './emergency.js';
export { ERRORS, ERROR_CODES, errorBody, statusOf, type ErrorBody, type ErrorCode } from './errors.js';
export * from './keys.js';
export * from './kyc.js';
export * from './operations.js';
export * from './primitives.js';
export * from './revocations.js';
export * from './sanctions.js';
export * from './service.js';
export { toChecksumAddress } from './checksum.js';
