import type { ReadScope } from '../auth/index.js';

/** Who read the audit log, and who was refused: visible only to readers of every tenant. */
const READER_EVENT_TYPES = ['audit.read', 'audit.denied'];

/**
 * What a reader limited to some tenants sees: those tenants' events, and the service-wide facts that belong to no
 * tenant (KYC updates, sanctions lists, key rotations), but never other readers' queries.
 */
export function scopeWhere(scope: ReadScope) {
  if (scope === 'all-tenants') return {};
  return {
    OR: [{ tenantId: { in: scope } }, { tenantId: null, type: { notIn: READER_EVENT_TYPES } }],
  };
}

export function inScope(scope: ReadScope, event: { tenantId: string | null; type: string }): boolean {
  if (scope === 'all-tenants') return true;
  return event.tenantId === null ? !READER_EVENT_TYPES.includes(event.type) : scope.includes(event.tenantId);
}

/** Whether a query naming `tenantId` stays within the reader's tenants. */
export function tenantInScope(scope: ReadScope, tenantId: string | undefined): boolean {
  return scope === 'all-tenants' || tenantId === undefined || scope.includes(tenantId);
}
