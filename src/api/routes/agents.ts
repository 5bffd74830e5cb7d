import { operations } from '@custos/sdk/api';
import { Router, type Response } from 'express';
import { agentUsage, executionViewOf, startOfUtcMonth, type Executor } from '../../agents/index.js';
import { CustosError, withDatabase } from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { csvLine } from '../csv.js';
import { actorOf, principalOf, tenantOf } from '../middleware.js';
import { rawRoute, route } from '../route.js';

const USAGE_COLUMNS = ['caller', 'executions', 'succeeded', 'failed', 'pending', 'refused', 'units'] as const;

/**
 * The execution gate's API: executors claim and report executions of their tenant's agents; the tenant's keys read
 * their agents, executions and usage; officers (own tenant) and admins configure agents. The executions routes are
 * registered before `/v1/agents/:agentId`, which would otherwise take `executions` for an agent id.
 */
export function agentRoutes(ctx: ApiContext): Router {
  const router = Router();
  const executor = (res: Response): Executor => ({
    keyId: principalOf(res).keyId,
    tenantId: tenantOf(res),
    actor: actorOf(res),
  });

  route(router, ctx, operations.listExecutions, async ({ query }, { res }) => ({
    executions: (
      await withDatabase(() => ctx.executions?.list(principalOf(res).readScope, query) ?? Promise.resolve([]))
    ).map(executionViewOf),
  }));

  route(router, ctx, operations.claimExecution, async ({ body }, { res }) => {
    // While the emergency stop is on, authorised executions wait in the queue: nothing new runs.
    ctx.emergency.assertIntakeOpen();
    if (!ctx.executions) return { execution: null };
    const leased = await withDatabase(() => ctx.executions!.claim(executor(res), body.leaseSeconds));
    return { execution: leased && executionViewOf(leased) };
  });

  route(router, ctx, operations.reportExecution, async ({ params, body }, { res }) => {
    if (!ctx.executions) throw new CustosError('NOT_FOUND', `no execution ${params.id}`);
    const finished = await withDatabase(() => ctx.executions!.report(executor(res), params.id, body));
    return { execution: executionViewOf(finished) };
  });

  route(router, ctx, operations.listAgents, async (_request, { res }) => ({
    agents: await withDatabase(() => ctx.agentConfigs.list(principalOf(res).readScope)),
  }));

  route(router, ctx, operations.getAgent, async ({ params }, { res }) => ({
    agent: await withDatabase(() => ctx.agentConfigs.get(principalOf(res).readScope, params.agentId)),
  }));

  route(router, ctx, operations.configureAgent, async ({ params, body }, { res }) => {
    const { role, readScope } = principalOf(res);
    const by = { actor: actorOf(res), role: role as 'officer' | 'admin', scope: readScope };
    return { agent: await withDatabase(() => ctx.agentConfigs.configure(by, params.agentId, body)) };
  });

  rawRoute(router, ctx, operations.agentUsage, async ({ params, query }, { res }) => {
    const config = await withDatabase(() =>
      ctx.agentConfigs.visible(principalOf(res).readScope, params.agentId),
    );
    const to = query.to ?? new Date();
    const from = query.from ?? startOfUtcMonth(to);
    if (from >= to) throw new CustosError('VALIDATION_FAILED', 'from must be before to');
    const callers = await withDatabase(() =>
      agentUsage(ctx.db, { agentId: params.agentId, tenantId: config.tenantId, from, to }),
    );
    if (query.format === 'csv') {
      res.type('text/csv');
      res.setHeader('content-disposition', `attachment; filename="agent-${params.agentId}-usage.csv"`);
      res.send(`${USAGE_COLUMNS.join(',')}\n${callers.map((row) => csvLine(USAGE_COLUMNS, row)).join('')}`);
      return;
    }
    res.json({ agentId: params.agentId, from: from.toISOString(), to: to.toISOString(), callers });
  });
  return router;
}
