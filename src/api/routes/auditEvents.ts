import { operations } from '@custos/sdk/api';
import { Router, type Response } from 'express';
import {
  auditEventView,
  batchLeaves,
  inScope,
  inclusionProof,
  queryAuditEvents,
  streamAuditEvents,
  tenantInScope,
  type AuditEventView,
  type AuditFilters,
} from '../../audit/index.js';
import { CustosError, withDatabase } from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { recordAuditRead } from '../auditReads.js';
import { csvLine } from '../csv.js';
import { writeWithBackPressure } from '../stream.js';
import { principalOf } from '../middleware.js';
import { rawRoute, route } from '../route.js';

const CSV_COLUMNS: (keyof AuditEventView)[] = [
  'seq',
  'type',
  'actor',
  'tenantId',
  'subject',
  'attestationUid',
  'createdAt',
  'payload',
  'hashVersion',
  'prevHash',
  'hash',
];

/** Regulators' (and officers') read access to the audit log: filtered pages, single events, streamed exports. */
export function auditEventRoutes(ctx: ApiContext): Router {
  const router = Router();

  // Reading the audit log is itself audited: who looked at what, never what they saw; refusals too.
  const attribute = (res: Response, action: string, filters: object) =>
    recordAuditRead(ctx, res, 'audit.read', action, filters);
  const deny = async (res: Response, action: string, filters: object): Promise<never> => {
    await recordAuditRead(ctx, res, 'audit.denied', action, filters);
    throw new CustosError('FORBIDDEN', 'this audit data belongs to a tenant outside your scope');
  };
  const checkTenant = async (res: Response, action: string, filters: AuditFilters) => {
    if (!tenantInScope(principalOf(res).readScope, filters.tenantId)) await deny(res, action, filters);
  };

  route(router, ctx, operations.auditEvents, async ({ query }, { res }) => {
    const { cursor, limit, ...filters } = query;
    await checkTenant(res, 'query', filters);
    await attribute(res, 'query', filters);
    const page = await withDatabase(() =>
      queryAuditEvents(ctx.db, filters, { after: cursor ?? 0n, limit }, principalOf(res).readScope),
    );
    return { events: page.events, nextCursor: page.next?.toString() ?? null };
  });

  route(router, ctx, operations.auditEvent, async ({ params: { seq } }, { res }) => {
    const row = await withDatabase(() => ctx.db.auditEvent.findUnique({ where: { seq } }));
    if (!row) throw new CustosError('NOT_FOUND', `audit event ${seq} not found`);
    if (!inScope(principalOf(res).readScope, row)) await deny(res, 'read', { seq: String(seq) });
    await attribute(res, 'read', { seq: String(seq) });
    return { ...auditEventView(row), anchor: await withDatabase(() => anchorProof(ctx, row.seq)) };
  });

  rawRoute(router, ctx, operations.auditExport, async ({ query }, { res }) => {
    const { format, ...filters } = query;
    await checkTenant(res, 'export', filters);
    await attribute(res, 'export', { format, ...filters });
    res.type(format === 'csv' ? 'text/csv' : 'application/x-ndjson');
    if (format === 'csv') res.write(`${CSV_COLUMNS.join(',')}\n`);
    for await (const event of streamAuditEvents(ctx.db, filters, principalOf(res).readScope)) {
      const line = format === 'csv' ? csvLine(CSV_COLUMNS, event) : `${JSON.stringify(event)}\n`;
      // A client gone away ends the export (the generator stops reading pages) instead of waiting forever.
      if (!(await writeWithBackPressure(res, line))) return;
    }
    res.end();
  });
  return router;
}

/** The anchored batch holding event `seq`, with the RFC 6962 inclusion proof of its hash; null until anchored. */
async function anchorProof(ctx: ApiContext, seq: bigint) {
  const batch = await ctx.db.auditBatch.findFirst({
    where: { firstSeq: { lte: seq }, lastSeq: { gte: seq } },
  });
  if (!batch) return null;
  const leaves = await batchLeaves(ctx.db, batch.firstSeq, batch.lastSeq);
  return {
    batch: batch.index,
    firstSeq: batch.firstSeq.toString(),
    lastSeq: batch.lastSeq.toString(),
    leafIndex: Number(seq - batch.firstSeq),
    treeSize: leaves.length,
    root: Buffer.from(batch.root).toString('hex'),
    txHash: batch.txHash,
    contract: ctx.chain.auditAnchor ? await ctx.chain.auditAnchor.getAddress() : null,
    proof: inclusionProof(leaves, Number(seq - batch.firstSeq)).map((h) => h.toString('hex')),
  };
}
