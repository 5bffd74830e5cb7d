import type { agentConfigRequest, agentView } from '@custos/sdk/api';
import type { z } from 'zod';
import type { ReadScope } from '../auth/index.js';
import { appendAuditEvent } from '../audit/index.js';
import type { AgentConfig, Database } from '../db/index.js';
import { CustosError } from '../errors/index.js';

export type AgentConfigChange = z.output<typeof agentConfigRequest>;
export type AgentView = z.input<typeof agentView>;

/** Who changes a configuration: admins assign owner tenants; an officer changes its own tenant's agents. */
export interface Configurer {
  actor: string;
  role: 'officer' | 'admin';
  scope: ReadScope;
}

type ConfigWithTenant = AgentConfig & { tenant: { name: string } };

/**
 * Agents' configurations in Custos: which tenant owns (and executes) an on-chain agent, who may call it, and each
 * caller's quotas. Reads are scoped to the reader's tenants; another tenant's agent answers NOT_FOUND, like none.
 */
export class AgentConfigs {
  constructor(private readonly db: Database) {}

  async list(scope: ReadScope): Promise<AgentView[]> {
    const rows = await this.db.agentConfig.findMany({
      where: scope === 'all-tenants' ? {} : { tenantId: { in: scope } },
      include: { tenant: { select: { name: true } } },
    });
    rows.sort((a, b) => (BigInt(a.agentId) < BigInt(b.agentId) ? -1 : 1));
    return Promise.all(rows.map((row) => this.view(row)));
  }

  async get(scope: ReadScope, agentId: string): Promise<AgentView> {
    return this.view(await this.visible(scope, agentId));
  }

  /** The configuration `agentId` has, if `scope` may see it. */
  async visible(scope: ReadScope, agentId: string): Promise<ConfigWithTenant> {
    const row = await this.db.agentConfig.findUnique({
      where: { agentId },
      include: { tenant: { select: { name: true } } },
    });
    if (!row || (scope !== 'all-tenants' && !scope.includes(row.tenantId))) {
      throw new CustosError('NOT_FOUND', `no agent ${agentId} configured in your tenants`);
    }
    return row;
  }

  async configure(by: Configurer, agentId: string, change: AgentConfigChange): Promise<AgentView> {
    if (change.tenant !== undefined && by.role !== 'admin') {
      throw new CustosError('FORBIDDEN', "only an admin assigns an agent's owner tenant");
    }
    const row = await this.db.$transaction(async (tx) => {
      // One configuration change per agent at a time: the merge below reads what it changes.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`agent:${agentId}`}))`;
      const current = await tx.agentConfig.findUnique({ where: { agentId } });
      if (current && by.scope !== 'all-tenants' && !by.scope.includes(current.tenantId)) {
        throw new CustosError('NOT_FOUND', `no agent ${agentId} configured in your tenants`);
      }
      if (!current && change.tenant === undefined) {
        throw new CustosError(
          by.role === 'admin' ? 'VALIDATION_FAILED' : 'NOT_FOUND',
          by.role === 'admin'
            ? `agent ${agentId} has no owner tenant yet: name one (tenant)`
            : `no agent ${agentId} configured in your tenants`,
        );
      }
      const tenantId =
        change.tenant === undefined ? current!.tenantId : await this.tenantIdOf(tx, change.tenant);
      const access = change.access ?? current?.access ?? 'open';
      if (access !== 'token' && (change.token !== undefined || change.minBalance !== undefined)) {
        // Said but not kept would be worse than refused: the caller believes a token gate is set.
        throw new CustosError(
          'VALIDATION_FAILED',
          `token and minBalance are for access token only; agent ${agentId} would have access ${access}`,
        );
      }
      const token = access === 'token' ? (change.token ?? current?.accessToken ?? null) : null;
      if (access === 'token' && token === null) {
        throw new CustosError('VALIDATION_FAILED', 'access token needs the token address (token)');
      }
      const data = {
        tenantId,
        access,
        accessToken: token,
        accessMinBalance:
          access === 'token' ? (change.minBalance ?? current?.accessMinBalance ?? null) : null,
        dailyQuota: change.dailyQuota === undefined ? (current?.dailyQuota ?? null) : change.dailyQuota,
        monthlyQuota:
          change.monthlyQuota === undefined ? (current?.monthlyQuota ?? null) : change.monthlyQuota,
        updatedBy: by.actor,
        updatedAt: new Date(),
      };
      const saved = await tx.agentConfig.upsert({
        where: { agentId },
        create: { agentId, ...data },
        update: data,
        include: { tenant: { select: { name: true } } },
      });
      await appendAuditEvent(tx, {
        type: 'agent.configured',
        actor: by.actor,
        tenantId,
        payload: {
          agentId,
          change: { ...change },
          previousTenantId: current?.tenantId ?? null,
          access: saved.access,
          token: saved.accessToken,
          minBalance: saved.accessMinBalance,
          dailyQuota: saved.dailyQuota,
          monthlyQuota: saved.monthlyQuota,
        },
      });
      return saved;
    });
    return this.view(row);
  }

  private async tenantIdOf(tx: Pick<Database, 'tenant'>, name: string): Promise<string> {
    const tenant = await tx.tenant.findUnique({ where: { name }, select: { id: true } });
    if (!tenant) throw new CustosError('NOT_FOUND', `no tenant ${name}`);
    return tenant.id;
  }

  private async view(row: ConfigWithTenant): Promise<AgentView> {
    const counts = await this.db.agentExecution.groupBy({
      by: ['status'],
      where: { agentId: row.agentId, tenantId: row.tenantId },
      _count: { _all: true },
    });
    const count = (...statuses: string[]) =>
      counts.filter((c) => statuses.includes(c.status)).reduce((sum, c) => sum + c._count._all, 0);
    return {
      agentId: row.agentId,
      tenant: row.tenant.name,
      tenantId: row.tenantId,
      access: row.access as AgentView['access'],
      token: row.accessToken,
      minBalance: row.accessMinBalance,
      dailyQuota: row.dailyQuota,
      monthlyQuota: row.monthlyQuota,
      updatedBy: row.updatedBy,
      updatedAt: row.updatedAt.toISOString(),
      executions: {
        queued: count('queued'),
        leased: count('leased'),
        finished: count('succeeded', 'failed'),
        refused: count('refused'),
      },
    };
  }
}
