import type { usageRow } from '@custos/sdk/api';
import type { z } from 'zod';
import type { Database } from '../db/index.js';

export type UsageRow = z.input<typeof usageRow>;

/** The start of `at`'s UTC month: usage reads the current billing month by default. */
export function startOfUtcMonth(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

/**
 * An agent's usage per caller, for its owner tenant: executions requested (by block time) in [from, to), how they
 * ended, and the units their executors reported.
 */
export async function agentUsage(
  db: Database,
  query: { agentId: string; tenantId: string; from: Date; to: Date },
): Promise<UsageRow[]> {
  const rows = await db.$queryRaw<
    {
      caller: string;
      executions: number;
      succeeded: number;
      failed: number;
      pending: number;
      refused: number;
      units: string;
    }[]
  >`
    SELECT caller,
           count(*) FILTER (WHERE status <> 'refused')::int AS executions,
           count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
           count(*) FILTER (WHERE status = 'failed')::int AS failed,
           count(*) FILTER (WHERE status IN ('queued', 'leased'))::int AS pending,
           count(*) FILTER (WHERE status = 'refused')::int AS refused,
           COALESCE(sum(units), 0)::text AS units
      FROM agent_executions
     WHERE agent_id = ${query.agentId} AND tenant_id = ${query.tenantId}::uuid
       AND requested_at >= ${query.from} AND requested_at < ${query.to}
     GROUP BY caller
     ORDER BY caller`;
  return rows;
}
