import type { Database } from '../db/index.js';
import type { ReadScope } from '../auth/index.js';
import type { AuditRecord } from './chain.js';
import { scopeWhere } from './scope.js';

export interface AuditFilters {
  subject?: string;
  type?: string;
  attestationUid?: string;
  tenantId?: string;
  from?: Date;
  to?: Date;
}

/** An audit event as the query API returns it: hashes in hex, so anyone can recompute the chain. */
export type AuditEventView = Omit<AuditRecord, 'seq' | 'createdAt'> & {
  seq: string;
  createdAt: string;
  prevHash: string;
  hash: string;
};

type AuditRow = Awaited<ReturnType<Database['auditEvent']['findMany']>>[number];

export function auditEventView(row: AuditRow): AuditEventView {
  return {
    seq: row.seq.toString(),
    type: row.type,
    actor: row.actor,
    tenantId: row.tenantId,
    subject: row.subject,
    attestationUid: row.attestationUid,
    payload: row.payload,
    createdAt: row.createdAt.toISOString(),
    prevHash: Buffer.from(row.prevHash).toString('hex'),
    hash: Buffer.from(row.hash).toString('hex'),
  };
}

/**
 * One page of events matching `filters`, in sequence order (the chain's own order, stable under inserts), after
 * the sequence number `after`. Every filter is served by an index on audit_events.
 */
export async function queryAuditEvents(
  db: Database,
  filters: AuditFilters,
  page: { after: bigint; limit: number },
  scope: ReadScope = 'all-tenants',
): Promise<{ events: AuditEventView[]; next: bigint | null }> {
  const rows = await db.auditEvent.findMany({
    where: {
      ...scopeWhere(scope),
      seq: { gt: page.after },
      ...(filters.subject ? { subject: filters.subject } : {}),
      ...(filters.type ? { type: filters.type } : {}),
      ...(filters.attestationUid ? { attestationUid: filters.attestationUid } : {}),
      ...(filters.tenantId ? { tenantId: filters.tenantId } : {}),
      ...(filters.from || filters.to ? { createdAt: { gte: filters.from, lt: filters.to } } : {}),
    },
    orderBy: { seq: 'asc' },
    take: page.limit + 1,
  });
  const more = rows.length > page.limit;
  const events = rows.slice(0, page.limit).map(auditEventView);
  return { events, next: more ? BigInt(events[events.length - 1]!.seq) : null };
}

/** Every matching event, a page at a time: exports of any size in bounded memory. */
export async function* streamAuditEvents(
  db: Database,
  filters: AuditFilters,
  scope: ReadScope = 'all-tenants',
  pageSize = 1000,
): AsyncGenerator<AuditEventView> {
  let after = 0n;
  for (;;) {
    const { events, next } = await queryAuditEvents(db, filters, { after, limit: pageSize }, scope);
    yield* events;
    if (next === null) return;
    after = next;
  }
}
