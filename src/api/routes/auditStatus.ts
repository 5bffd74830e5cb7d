import { operations } from '@custos/sdk/api';
import { Router } from 'express';
import { latestCheckpoints } from '../../audit/index.js';
import { withDatabase } from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { principalOf } from '../middleware.js';
import { route } from '../route.js';

interface ChainEventRow {
  block_number: string;
  tx_hash: string;
  log_index: number;
  contract: string;
  event: string;
  attestation_uid: string | null;
  subject: string | null;
  args: Record<string, unknown>;
  block_time: Date;
}

/** The audit explorer's at-a-glance status, and the on-chain side of an address's or attestation's story. */
export function auditStatusRoutes(ctx: ApiContext): Router {
  const router = Router();

  route(router, ctx, operations.auditStatus, async () => {
    const { rows } = await withDatabase(() =>
      ctx.db.pool.query<{
        head: string | null;
        batches: number;
        anchored_through: string | null;
        last_anchored_at: Date | null;
        indexed_block: string | null;
        indexed_at: Date | null;
      }>(
        `SELECT (SELECT max(seq) FROM audit_events)::text AS head,
                (SELECT count(*) FROM audit_batches)::int AS batches,
                (SELECT max(last_seq) FROM audit_batches)::text AS anchored_through,
                (SELECT max(anchored_at) FROM audit_batches) AS last_anchored_at,
                c.block_number::text AS indexed_block, c.updated_at AS indexed_at
           FROM (SELECT 1) one LEFT JOIN chain_cursor c ON c.name = 'contracts'`,
      ),
    );
    const s = rows[0]!;
    const checkpoints = await withDatabase(() => latestCheckpoints(ctx.db, 10));
    const head = BigInt(s.head ?? 0);
    const anchoredThrough = BigInt(s.anchored_through ?? 0);
    return {
      events: { head: head.toString() },
      anchoring: {
        enabled: Boolean(ctx.chain.auditAnchor),
        batches: s.batches,
        anchoredThroughSeq: anchoredThrough.toString(),
        pending: (head - anchoredThrough).toString(),
        lastAnchoredAt: s.last_anchored_at?.toISOString() ?? null,
      },
      indexer: {
        indexedThroughBlock: s.indexed_block === null ? null : Number(s.indexed_block),
        updatedAt: s.indexed_at?.toISOString() ?? null,
      },
      // The newest signed heads, newest first: save one to prove later that the log was not cut after it.
      checkpoints: {
        intervalSeconds: ctx.env.AUDIT_CHECKPOINT_INTERVAL_SECONDS,
        latest: checkpoints[0] ?? null,
        recent: checkpoints,
      },
    };
  });

  // A subject's events include those of its attestations and credentials (a revocation names only the uid; a
  // custodial proof is linked by its nullifier). A reader limited to some tenants sees the chain events of those
  // tenants' attestations and credentials only.
  route(router, ctx, operations.chainEvents, async ({ query }, { res }) => {
    const scope = principalOf(res).readScope;
    const { rows } = await withDatabase(() =>
      ctx.db.pool.query<ChainEventRow>(
        `SELECT e.block_number::text, e.tx_hash, e.log_index, e.contract, e.event, e.attestation_uid,
                e.subject, e.args, e.block_time
           FROM chain_events e
           LEFT JOIN attestations a ON a.uid = e.attestation_uid
           LEFT JOIN zk_credentials c ON c.uid = e.attestation_uid
          WHERE ($1::text IS NULL OR e.subject = $1
                 OR e.attestation_uid IN (SELECT uid FROM attestations WHERE subject = $1
                                          UNION ALL SELECT uid FROM zk_credentials WHERE subject = $1))
            AND ($2::text IS NULL OR e.attestation_uid = $2)
            AND ($3::uuid[] IS NULL OR COALESCE(a.tenant_id, c.tenant_id) = ANY($3))
          ORDER BY e.block_number, e.log_index
          LIMIT 1000`,
        [query.subject ?? null, query.attestationUid ?? null, scope === 'all-tenants' ? null : scope],
      ),
    );
    return {
      events: rows.map((r) => ({
        blockNumber: Number(r.block_number),
        txHash: r.tx_hash,
        logIndex: r.log_index,
        contract: r.contract,
        event: r.event,
        attestationUid: r.attestation_uid,
        subject: r.subject,
        args: r.args,
        blockTime: r.block_time.toISOString(),
      })),
    };
  });
  return router;
}
