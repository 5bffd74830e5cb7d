import { AGENT_ACCESS, type agentView } from '@custos/sdk/api';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { z } from 'zod';
import { call, connection, download } from './client.js';
import { print } from './output.js';

type Agent = z.output<typeof agentView>;

/** A quota: a whole number, or `none` for no limit. */
function quota(value: string): number | null {
  if (value === 'none') return null;
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number or none');
  return Number(value);
}

const agentRow = (a: Agent) => ({
  agent: a.agentId,
  tenant: a.tenant,
  access: a.access === 'token' ? `token ${a.token} >= ${a.minBalance ?? '1'}` : a.access,
  daily: a.dailyQuota ?? 'none',
  monthly: a.monthlyQuota ?? 'none',
  queued: a.executions.queued,
  leased: a.executions.leased,
  finished: a.executions.finished,
  refused: a.executions.refused,
});

/** The execution gate's agents: their configuration (officer key; an admin key to assign the owner tenant), usage. */
export function addAgentCommands(program: Command, json: () => boolean): void {
  const agents = program.command('agents').description('on-chain agents Custos gates executions for');
  agents
    .command('list')
    .description("your tenants' configured agents, with their executions by state")
    .action(async () => {
      const result = await call(connection(), 'listAgents');
      print(json(), result, result.agents.map(agentRow));
    });
  agents
    .command('show <id>')
    .description("an agent's configuration and its latest executions")
    .option('--limit <n>', 'executions shown', '20')
    .action(async (id: string, options: { limit: string }) => {
      const { agent } = await call(connection(), 'getAgent', { params: { agentId: id } });
      const { executions } = await call(connection(), 'listExecutions', {
        query: { agentId: id, limit: options.limit as unknown as number },
      });
      if (json()) return print(true, { agent, executions });
      print(false, agent, [agentRow(agent)]);
      console.log('');
      print(
        false,
        executions,
        executions.map((e) => ({
          execution: e.id,
          request: e.requestId,
          caller: e.caller,
          status: e.status,
          reason: e.reasonCode,
          units: e.units,
          requested: e.requestedAt,
        })),
      );
    });
  agents
    .command('configure <id>')
    .description('assign the owner tenant (admin key), or change who may call the agent')
    .option('--tenant <name>', 'the owner tenant whose executors run it (uses CUSTOS_ADMIN_KEY)')
    .addOption(new Option('--access <rule>', 'who may execute it').choices(AGENT_ACCESS))
    .option('--token <address>', 'for --access token: the ERC-20 callers must hold')
    .option('--min-balance <units>', 'for --access token: the least balance, in base units')
    .action(
      async (
        id: string,
        options: { tenant?: string; access?: Agent['access']; token?: string; minBalance?: string },
      ) => {
        const { agent } = await call(connection(options.tenant ? 'admin' : 'officer'), 'configureAgent', {
          params: { agentId: id },
          body: options,
        });
        print(json(), { agent }, [agentRow(agent)]);
      },
    );
  agents
    .command('quota')
    .description('per-caller quotas (executions per UTC day and month)')
    .command('set <id>')
    .description("set an agent's quotas per caller; none removes one")
    .option('--daily <n>', 'executions per caller and UTC day, or none', quota)
    .option('--monthly <n>', 'executions per caller and UTC month, or none', quota)
    .action(async (id: string, options: { daily?: number | null; monthly?: number | null }) => {
      const { agent } = await call(connection(), 'configureAgent', {
        params: { agentId: id },
        body: { dailyQuota: options.daily, monthlyQuota: options.monthly },
      });
      print(json(), { agent }, [agentRow(agent)]);
    });
  agents
    .command('usage <id>')
    .description('executions and units per caller (default: this UTC month so far); --csv for billing')
    .option('--from <instant>', 'inclusive, ISO 8601')
    .option('--to <instant>', 'exclusive, ISO 8601')
    .option('--csv', 'print CSV for billing')
    .action(async (id: string, options: { from?: string; to?: string; csv?: boolean }) => {
      const range = {
        ...(options.from ? { from: options.from } : {}),
        ...(options.to ? { to: options.to } : {}),
      };
      if (options.csv) {
        const query = new URLSearchParams({ ...range, format: 'csv' });
        return download(connection(), `/v1/agents/${encodeURIComponent(id)}/usage?${query}`, process.stdout);
      }
      const usage = await call(connection(), 'agentUsage', { params: { agentId: id }, query: range });
      print(json(), usage, usage.callers);
    });
}
