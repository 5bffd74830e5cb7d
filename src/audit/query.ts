import type { Database } from '../db/index.js';
import type { ReadScope } from '../auth/index.js';
import type { JsonValue } from './canonical.js';
import type { AuditRecord } from './chain.js';
import { scopeWhere } from './scope.js';

export interface AuditFilters {
  subject?: string;
  /** Events whose payload carries this reason code (revocations and holds). */
  reasonCode?: string;
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
    payload: row.payload as JsonValue,
    createdAt: row.createdAt.toISOString(),
    hashVersion: row.hashVersion,
    prevHash: Buffer.from(row.prevHash).toString('hex'),
    hash: Buffer.from(row.hash).toString('hex'),
  };
}

/**
 * One page of events matching `filters`, in sequence order (the chain's own order, stable under inserts), after
 * the sequence number `after`. Every filter is served by an index on audit_events. A time range is first turned
 * into the sequence numbers it spans (an index-only scan): ordered by seq alone, PostgreSQL would otherwise walk the
 * whole log from the start looking for the range.
 */
export async function queryAuditEvents(
  db: Database,
  filters: AuditFilters,
  page: { after: bigint; limit: number },
  scope: ReadScope = 'all-tenants',
): Promise<{ events: AuditEventView[]; next: bigint | null }> {
  return queryWithinSpan(db, filters, await spanOf(db, filters), page, scope);
}

type Span = { first: bigint; last: bigint } | null | undefined;

/** The sequence span of the filters' time range; undefined without a range, null for an empty one. */
async function spanOf(db: Database, filters: AuditFilters): Promise<Span> {
  return filters.from || filters.to ? seqSpan(db, filters.from, filters.to) : undefined;
}

async function queryWithinSpan(
  db: Database,
  filters: AuditFilters,
  span: Span,
  page: { after: bigint; limit: number },
  scope: ReadScope,
): Promise<{ events: AuditEventView[]; next: bigint | null }> {
  if (span === null) return { events: [], next: null };
  const rows = await db.auditEvent.findMany({
    where: {
      ...scopeWhere(scope),
      seq: { gt: span && span.first - 1n > page.after ? span.first - 1n : page.after, lte: span?.last },
      ...(filters.subject ? { subject: filters.subject } : {}),
      ...(filters.type ? { type: filters.type } : {}),
      ...(filters.attestationUid ? { attestationUid: filters.attestationUid } : {}),
      ...(filters.tenantId ? { tenantId: filters.tenantId } : {}),
      ...(filters.reasonCode ? { payload: { path: ['reasonCode'], equals: filters.reasonCode } } : {}),
      ...(span ? { createdAt: { gte: filters.from, lt: filters.to } } : {}),
    },
    orderBy: { seq: 'asc' },
    take: page.limit + 1,
  });
  const more = rows.length > page.limit;
  const events = rows.slice(0, page.limit).map(auditEventView);
  return { events, next: more ? BigInt(events[events.length - 1]!.seq) : null };
}

/** The first and last sequence numbers of events created in [from, to); null when there are none. */
async function seqSpan(
  db: Database,
  from?: Date,
  to?: Date,
): Promise<{ first: bigint; last: bigint } | null> {
  // Only the bounds given go into the SQL: an "IS NULL OR" form would keep PostgreSQL off the index.
  const bounds: [string, Date][] = [];
  if (from) bounds.push(['created_at >=', from]);
  if (to) bounds.push(['created_at <', to]);
  const { rows } = await db.pool.query<{ first: string | null; last: string | null }>(
    // OFFSET 0 fences the subquery: otherwise min/max become walks along the primary key, the slow plan again.
    `SELECT min(seq)::text AS first, max(seq)::text AS last FROM (
       SELECT seq FROM audit_events
        WHERE ${bounds.map(([condition], i) => `${condition} $${i + 1}`).join(' AND ')} OFFSET 0) span`,
    bounds.map(([, value]) => value),
  );
  const { first, last } = rows[0]!;
  return first === null || last === null ? null : { first: BigInt(first), last: BigInt(last) };
}

/** Every matching event, a page at a time: exports of any size in bounded memory. */
export async function* streamAuditEvents(
  db: Database,
  filters: AuditFilters,
  scope: ReadScope = 'all-tenants',
  pageSize = 1000,
): AsyncGenerator<AuditEventView> {
  // The time range's span is looked up once for the whole export, not once per page.
  const span = await spanOf(db, filters);
  let after = 0n;
  for (;;) {
    const { events, next } = await queryWithinSpan(db, filters, span, { after, limit: pageSize }, scope);
    yield* events;
    if (next === null) return;
    after = next;
  }
}
