// The event types are part of the API contract (regulators filter by them): defined in @custos/sdk/api.
export { AUDIT_EVENT_TYPES, type AuditEventType } from '@custos/sdk/api';
