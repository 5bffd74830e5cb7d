import type { holdView as holdViewSchema, ReasonCode } from '@custos/sdk/api';
import type pg from 'pg';
import type { z } from 'zod';
import { appendAuditEvent, type Transaction } from '../audit/index.js';
import type { ReadScope } from '../auth/index.js';
import type { Database } from '../db/index.js';

/** A hold as the API returns it (the contract's shape). */
export type HoldView = z.output<typeof holdViewSchema>;

type HoldRow = NonNullable<Awaited<ReturnType<Database['hold']['findFirst']>>>;

export function holdView(row: HoldRow): HoldView {
  return {
    id: row.id,
    subject: row.subject,
    tenantId: row.tenantId,
    reasonCode: row.reasonCode as ReasonCode,
    reason: row.reason,
    placedBy: row.placedBy,
    placedAt: row.placedAt.toISOString(),
    liftedAt: row.liftedAt?.toISOString() ?? null,
    liftedBy: row.liftedBy,
    liftReasonCode: row.liftReasonCode as ReasonCode | null,
    liftReason: row.liftReason,
  };
}

/** The tenant a writer acts for: its own, or (null) every tenant for an admin. */
export type WriteScope = { tenantId: string } | 'all-tenants';

/**
 * Holding a subject and issuing for it serialise on a transaction-scoped advisory lock per subject: a revocation
 * takes it exclusively before it looks for the subject's attestations, an issuance takes it shared before it checks
 * for holds. Either the issuance commits first (and the revocation finds and revokes its attestation) or it sees the
 * hold; a request screened before the hold and committed after it cannot slip between the two.
 */
const subjectLockKey = (subject: string) => `subject-hold:${subject.toLowerCase()}`;

export async function lockSubjectForHold(tx: Transaction, subject: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${subjectLockKey(subject)}))`;
}

/**
 * Inside an issuing transaction: takes each subject's hold lock (shared) and answers, per request, whether an active
 * hold that reaches its tenant stands on its subject now (placed since it was screened).
 */
export async function lockAndFindHeld(
  client: pg.PoolClient,
  requests: { subject: string; tenantId: string }[],
): Promise<boolean[]> {
  if (requests.length === 0) return [];
  await client.query(
    // Sorted in a subquery, so the locks are taken in that order (an ORDER BY beside them may sort after).
    `SELECT pg_advisory_xact_lock_shared(h)
       FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($1::text[]) AS k ORDER BY h) AS sorted`,
    [[...new Set(requests.map((r) => subjectLockKey(r.subject)))]],
  );
  const { rows } = await client.query<{ held: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM holds h WHERE h.subject = s.subject AND h.lifted_at IS NULL
                     AND (h.tenant_id IS NULL OR h.tenant_id = s.tenant_id)) AS held
       FROM unnest($1::text[], $2::uuid[]) WITH ORDINALITY AS s(subject, tenant_id, i) ORDER BY s.i`,
    [requests.map((r) => r.subject), requests.map((r) => r.tenantId)],
  );
  return rows.map((row) => row.held);
}

/**
 * Places a hold on `subject` for the writer's tenant (every tenant for an admin), inside the caller's transaction,
 * and audits it; an active hold already there stands (null is returned).
 */
export async function placeHold(
  tx: Transaction,
  params: { subject: string; scope: WriteScope; reasonCode: ReasonCode; reason: string; actor: string },
): Promise<HoldView | null> {
  const tenantId = params.scope === 'all-tenants' ? null : params.scope.tenantId;
  const [row] = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO holds (subject, tenant_id, reason_code, reason, placed_by) VALUES (${params.subject},
      ${tenantId}::uuid, ${params.reasonCode}, ${params.reason}, ${params.actor})
    ON CONFLICT (subject, COALESCE(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)) WHERE lifted_at IS NULL
    DO NOTHING RETURNING id`;
  if (!row) return null;
  const hold = await tx.hold.findUniqueOrThrow({ where: { id: row.id } });
  await appendAuditEvent(tx, {
    type: 'hold.placed',
    actor: params.actor,
    tenantId,
    subject: params.subject,
    payload: {
      holdId: hold.id,
      reasonCode: params.reasonCode,
      reason: params.reason,
      scope: tenantId === null ? 'all-tenants' : 'tenant',
    },
  });
  return holdView(hold);
}

/**
 * Lifts the active holds on `subject` that `scope` reaches and that were placed before `placedBefore`, audits each
 * lift, and returns them. An officer reaches its own tenant's hold; an admin, or a provider's re-approval, every hold.
 */
export async function liftHolds(
  tx: Transaction,
  params: {
    subject: string;
    scope: ReadScope;
    reasonCode: ReasonCode;
    reason: string;
    actor: string;
    placedBefore?: Date;
  },
): Promise<HoldView[]> {
  const tenants = params.scope === 'all-tenants' ? null : params.scope;
  const lifted = await tx.$queryRaw<{ id: string }[]>`
    UPDATE holds SET lifted_at = now(), lifted_by = ${params.actor}, lift_reason_code = ${params.reasonCode},
                     lift_reason = ${params.reason}
     WHERE subject = ${params.subject} AND lifted_at IS NULL
       AND (${tenants}::uuid[] IS NULL OR tenant_id = ANY(${tenants}::uuid[]))
       AND placed_at < ${params.placedBefore ?? new Date()}
    RETURNING id`;
  const rows = await tx.hold.findMany({ where: { id: { in: lifted.map((r) => r.id) } } });
  for (const row of rows) {
    await appendAuditEvent(tx, {
      type: 'hold.lifted',
      actor: params.actor,
      tenantId: row.tenantId,
      subject: row.subject,
      payload: { holdId: row.id, reasonCode: params.reasonCode, reason: params.reason },
    });
  }
  return rows.map(holdView);
}

/** Holds on `subject` (or every subject) that `scope` may see, newest first; active ones only unless `all`. */
export async function listHolds(
  db: Database,
  params: { subject?: string; scope: ReadScope; includeLifted: boolean; limit: number },
): Promise<HoldView[]> {
  const rows = await db.hold.findMany({
    where: {
      ...(params.subject ? { subject: params.subject } : {}),
      ...(params.includeLifted ? {} : { liftedAt: null }),
      ...(params.scope === 'all-tenants'
        ? {}
        : { OR: [{ tenantId: { in: params.scope } }, { tenantId: null }] }),
    },
    orderBy: { placedAt: 'desc' },
    take: params.limit,
  });
  return rows.map(holdView);
}
