import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JsonRpcProvider } from 'ethers';
import { CallerChecks, Executions } from '../../src/agents/index.js';
import { ApiKeyVerifier } from '../../src/auth/index.js';
import { freePort } from '../../src/chain/index.js';
import type { CustosError } from '../../src/errors/index.js';
import { agentChain, type Caller } from '../helpers/agents.js';
import { custos } from '../helpers/cli.js';
import { eventually } from '../helpers/eventually.js';
import { startTestService, type TestService } from '../helpers/service.js';

interface Execution {
  id: string;
  requestId: string;
  caller: string;
  status: string;
  reasonCode: string | null;
  reason: string | null;
  units: string | null;
  claims: number;
}

/**
 * The off-chain execution gate on embedded defaults: agents registered on-chain, callers executing through the real
 * AgentRegistry, the service's indexer and gate deciding, executors claiming and reporting over HTTP.
 */
describe('agent execution gate', () => {
  let t: TestService;
  let chain: ReturnType<typeof agentChain>;
  const keys = {} as Record<
    'admin' | 'officer' | 'regulator' | 'dapp' | 'executor' | 'executor2' | 'rivalExecutor' | 'rivalOfficer',
    string
  >;
  let agentId: string;
  let firstCaller: Caller;

  before(async () => {
    t = await startTestService({ CHAIN_INDEX_INTERVAL_SECONDS: '1' });
    [
      keys.admin,
      keys.officer,
      keys.regulator,
      keys.dapp,
      keys.executor,
      keys.executor2,
      keys.rivalExecutor,
      keys.rivalOfficer,
    ] = await Promise.all([
      t.key('admin', 'acme'),
      t.key('officer', 'acme'),
      t.key('regulator', 'acme'),
      t.key('dapp', 'acme'),
      t.key('executor', 'acme'),
      t.key('executor', 'acme'),
      t.key('executor', 'rival'),
      t.key('officer', 'rival'),
    ]);
    chain = agentChain(t, keys.dapp);
    agentId = await chain.registerAgent();
    const configured = await t.request('PUT', `/v1/agents/${agentId}`, {
      key: keys.admin,
      body: { tenant: 'acme' },
    });
    assert.equal(configured.status, 200, JSON.stringify(configured.body));
    firstCaller = await chain.compliantCaller();
  });

  after(async () => {
    chain?.provider.destroy();
    await t?.stop();
  });

  /** Calls AgentRegistry.execute as `caller` and waits until the gate decided the request. */
  async function execute(caller: Caller, agent = agentId): Promise<Execution> {
    const requestId = await chain.requestExecution(caller, agent);
    let execution: Execution | undefined;
    await eventually(`request ${requestId} is decided`, async () => {
      const { body } = await t.request('GET', `/v1/agents/executions?agentId=${agent}`, { key: keys.admin });
      execution = (body.executions as Execution[]).find((e) => e.requestId === requestId);
      return execution !== undefined;
    });
    return execution!;
  }

  const claim = (key: string, body: object = {}) =>
    t.request('POST', '/v1/agents/executions/claim', { key, body });
  /** Reports a result; without `claim` in `body`, with the execution's current claim number (the live lease's). */
  async function report(
    key: string,
    executionId: string,
    body: { claim?: number; [field: string]: unknown },
  ) {
    const current = async () => {
      const { body: listed } = await t.request('GET', '/v1/agents/executions', { key: keys.admin });
      return (listed.executions as Execution[]).find((e) => e.id === executionId)?.claims ?? 1;
    };
    const claim = body.claim ?? (await current());
    return t.request('POST', `/v1/agents/executions/${executionId}/result`, {
      key,
      body: { claim, ...body },
    });
  }

  it('a compliant caller executes, an executor claims and reports, usage and the audit log show it', async () => {
    const requested = await execute(firstCaller);
    assert.equal(requested.status, 'queued', JSON.stringify(requested));
    const claimed = await claim(keys.executor);
    assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
    assert.equal(claimed.body.execution.id, requested.id);
    assert.equal(claimed.body.execution.status, 'leased');
    const reported = await report(keys.executor, requested.id, {
      status: 'succeeded',
      units: 42,
      output: 'summary written',
    });
    assert.equal(reported.status, 200, JSON.stringify(reported.body));
    assert.equal(reported.body.execution.status, 'succeeded');
    assert.equal(reported.body.execution.units, '42');

    const usage = await t.request('GET', `/v1/agents/${agentId}/usage`, { key: keys.dapp });
    assert.equal(usage.status, 200, JSON.stringify(usage.body));
    assert.deepEqual(usage.body.callers, [
      {
        caller: firstCaller.address,
        executions: 1,
        succeeded: 1,
        failed: 0,
        pending: 0,
        refused: 0,
        units: '42',
      },
    ]);
    const csv = await t.request('GET', `/v1/agents/${agentId}/usage?format=csv`, { key: keys.officer });
    assert.equal(csv.headers.get('content-type')?.startsWith('text/csv'), true);
    assert.equal(
      csv.body,
      `caller,executions,succeeded,failed,pending,refused,units\n${firstCaller.address},1,1,0,0,0,42\n`,
    );

    const audit = await t.request('GET', `/v1/audit/events?subject=${firstCaller.address}`, {
      key: keys.regulator,
    });
    const types = (audit.body.events as { type: string; payload: { executionId?: string } }[])
      .filter((e) => e.payload.executionId === requested.id)
      .map((e) => e.type);
    assert.deepEqual(types, [
      'agent_execution.authorised',
      'agent_execution.claimed',
      'agent_execution.result',
    ]);
  });

  it('a request indexed again is never a second execution', async () => {
    const before = await t.db.agentExecution.count();
    const authorised = await t.db.auditEvent.count({ where: { type: 'agent_execution.authorised' } });
    // Rewind the indexer to the deployment, as a reorg deeper than everything would: every event is read again.
    const head = await chain.provider.getBlockNumber();
    await t.db.$transaction([
      t.db.chainEvent.deleteMany({}),
      t.db.chainBlock.deleteMany({}),
      t.db.chainCursor.deleteMany({}),
    ]);
    await eventually('the indexer read the chain again', async () => {
      const cursor = await t.db.chainCursor.findUnique({ where: { name: 'contracts' } });
      return cursor !== null && cursor.blockNumber >= BigInt(head);
    });
    // One more request after the re-read: decided once the gate passed everything before it.
    await execute(firstCaller);
    assert.equal(await t.db.agentExecution.count(), before + 1);
    assert.equal(
      await t.db.auditEvent.count({ where: { type: 'agent_execution.authorised' } }),
      authorised + 1,
    );
    // Leave the queue empty for the next tests.
    const { body } = await claim(keys.executor);
    assert.equal(
      (await report(keys.executor, body.execution.id, { status: 'failed', units: 0 })).status,
      200,
    );
  });

  it('a caller revoked between request and claim is refused at claim time, with its reason', async () => {
    const caller = await chain.compliantCaller();
    const requested = await execute(caller);
    assert.equal(requested.status, 'queued');
    const revoked = await t.request('POST', '/v1/revocations', {
      key: keys.officer,
      body: { target: caller.address, reasonCode: 'FRAUD', reason: 'fraud found after the request' },
    });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));

    const claimed = await claim(keys.executor);
    assert.equal(claimed.status, 200);
    assert.equal(claimed.body.execution, null);
    const { body } = await t.request('GET', `/v1/agents/executions?caller=${caller.address}`, {
      key: keys.officer,
    });
    const [refused] = body.executions as Execution[];
    assert.equal(refused!.status, 'refused');
    assert.equal(refused!.reasonCode, 'SCREENING_FAILED');
    assert.match(refused!.reason!, /SUBJECT_HELD/);
    assert.equal(
      await t.db.auditEvent.count({ where: { type: 'agent_execution.refused', subject: caller.address } }),
      1,
    );
    // The revocation also ended its gatekeeper record: the registry itself refuses its next request.
    await assert.rejects(execute(caller), /reverted/);
  });

  it('quotas per caller: the execution after the daily quota is refused, then the monthly one', async () => {
    const caller = await chain.compliantCaller();
    const set = await custos(['agents', 'quota', 'set', agentId, '--daily', '1', '--json'], {
      CUSTOS_URL: t.service.url,
      CUSTOS_OFFICER_KEY: keys.officer,
    });
    assert.equal(set.code, 0, set.stderr);
    assert.equal(JSON.parse(set.stdout).agent.dailyQuota, 1);
    assert.equal((await execute(caller)).status, 'queued');
    const overDaily = await execute(caller);
    assert.equal(overDaily.status, 'refused');
    assert.equal(overDaily.reasonCode, 'QUOTA_DAILY_EXCEEDED');

    const monthly = await t.request('PUT', `/v1/agents/${agentId}`, {
      key: keys.officer,
      body: { dailyQuota: null, monthlyQuota: 1 },
    });
    assert.equal(monthly.status, 200, JSON.stringify(monthly.body));
    const overMonthly = await execute(caller);
    assert.equal(overMonthly.reasonCode, 'QUOTA_MONTHLY_EXCEEDED');
    // Another caller has its own quota.
    assert.equal((await execute(await chain.compliantCaller())).status, 'queued');
    await t.request('PUT', `/v1/agents/${agentId}`, { key: keys.officer, body: { monthlyQuota: null } });
    for (
      let leased = await claim(keys.executor);
      leased.body.execution;
      leased = await claim(keys.executor)
    ) {
      await report(keys.executor, leased.body.execution.id, { status: 'succeeded', units: 1 });
    }
  });

  it('access rules, unconfigured agents and agents deactivated since the request are refused with their codes', async () => {
    const unconfigured = await chain.registerAgent();
    assert.equal((await execute(firstCaller, unconfigured)).reasonCode, 'AGENT_NOT_CONFIGURED');

    const ownerOnly = await chain.registerAgent();
    const configure = (body: object) =>
      t.request('PUT', `/v1/agents/${ownerOnly}`, { key: keys.admin, body: { tenant: 'acme', ...body } });
    assert.equal((await configure({ access: 'owner' })).status, 200);
    assert.equal((await execute(firstCaller, ownerOnly)).reasonCode, 'ACCESS_DENIED');
    // Holders of an ERC-20 (read on-chain): the caller holds none of the CompliantToken.
    const token = await configure({ access: 'token', token: t.service.chain.contracts.CompliantToken });
    assert.equal(token.status, 200, JSON.stringify(token.body));
    assert.equal((await execute(firstCaller, ownerOnly)).reasonCode, 'ACCESS_DENIED');
    // A holder of exactly the configured balance is let in; one unit more needed and it is not.
    const pass = await chain.deployToken();
    await (await pass.write.mint(firstCaller.address, 5n)).wait();
    assert.equal((await configure({ access: 'token', token: pass.address, minBalance: '5' })).status, 200);
    const holder = await execute(firstCaller, ownerOnly);
    assert.equal(holder.status, 'queued', JSON.stringify(holder));
    assert.equal(
      (await claim(keys.executor)).body.execution.id,
      holder.id,
      'the balance is read again at claim',
    );
    assert.equal((await report(keys.executor, holder.id, { status: 'succeeded', units: 1 })).status, 200);
    assert.equal((await configure({ minBalance: '6' })).status, 200);
    // Saying the access again with a new balance keeps the saved token (what `custos agents configure` sends).
    const again = await configure({ access: 'token', minBalance: '6' });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.agent.token, pass.address);
    assert.equal((await execute(firstCaller, ownerOnly)).reasonCode, 'ACCESS_DENIED');
    assert.equal((await configure({ access: 'open' })).body.agent.token, null);
    // Deactivated after the request was queued: the claim's second check refuses it.
    const queued = await execute(firstCaller, ownerOnly);
    assert.equal(queued.status, 'queued');
    await (await chain.registry.getFunction('setAgentActive')(ownerOnly, false)).wait();
    assert.equal((await claim(keys.executor)).body.execution, null);
    const refused = await t.db.agentExecution.findUniqueOrThrow({ where: { id: queued.id } });
    assert.equal(refused.reasonCode, 'AGENT_INACTIVE');
  });

  it('executors: no key, wrong role, another tenant, a result twice or by another executor are refused', async () => {
    assert.equal((await t.request('POST', '/v1/agents/executions/claim', { body: {} })).status, 401);
    // The admin API makes executor keys like any other role.
    const created = await t.request('POST', '/v1/admin/api-keys', {
      key: keys.admin,
      body: { tenant: 'acme', role: 'executor', label: 'batch runner' },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.equal(created.body.apiKey.role, 'executor');
    assert.equal((await claim(created.body.key)).status, 200);
    const dappClaim = await claim(keys.dapp);
    assert.equal(dappClaim.status, 403);
    assert.equal(dappClaim.body.error.code, 'FORBIDDEN');

    const requested = await execute(firstCaller);
    assert.equal((await claim(keys.rivalExecutor)).body.execution, null, "rival sees none of acme's");
    const claimed = await claim(keys.executor);
    assert.equal(claimed.body.execution.id, requested.id);
    assert.equal((await claim(keys.executor2)).body.execution, null, 'one claimant at a time');

    const rival = await report(keys.rivalExecutor, requested.id, { status: 'succeeded', units: 1 });
    assert.equal(rival.status, 404);
    assert.equal(rival.body.error.code, 'NOT_FOUND');
    const other = await report(keys.executor2, requested.id, { status: 'succeeded', units: 1 });
    assert.equal(other.status, 409);
    assert.equal(other.body.error.code, 'LEASE_NOT_HELD');
    assert.equal((await report(keys.executor, requested.id, { status: 'succeeded', units: 3 })).status, 200);
    const twice = await report(keys.executor, requested.id, { status: 'failed', units: 0 });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.error.code, 'EXECUTION_FINISHED');
  });

  it('a claim number is a lease token: a stale claimant with the same key cannot report over a later claim', async () => {
    const requested = await execute(firstCaller);
    const first = await claim(keys.executor, { leaseSeconds: 1 });
    assert.equal(first.body.execution.id, requested.id);
    let second: Awaited<ReturnType<typeof claim>> | undefined;
    await eventually('the lease expired and the same key claimed it again', async () => {
      second = await claim(keys.executor);
      return second.body.execution !== null;
    });
    assert.equal(second!.body.execution.claims, first.body.execution.claims + 1);
    const stale = await report(keys.executor, requested.id, {
      claim: first.body.execution.claims,
      status: 'failed',
      units: 0,
    });
    assert.equal(stale.status, 409, JSON.stringify(stale.body));
    assert.equal(stale.body.error.code, 'LEASE_NOT_HELD');
    const live = await report(keys.executor, requested.id, {
      claim: second!.body.execution.claims,
      status: 'succeeded',
      units: 2,
    });
    assert.equal(live.status, 200, JSON.stringify(live.body));
  });

  it('an expired lease is claimable again, and its first claimant can no longer report', async () => {
    const requested = await execute(firstCaller);
    const first = await claim(keys.executor, { leaseSeconds: 1 });
    assert.equal(first.body.execution.id, requested.id);
    let second: Awaited<ReturnType<typeof claim>> | undefined;
    await eventually('the lease expired and another executor claimed it', async () => {
      second = await claim(keys.executor2);
      return second.body.execution !== null;
    });
    assert.equal(second!.body.execution.id, requested.id);
    assert.equal(second!.body.execution.claims, 2);
    const late = await report(keys.executor, requested.id, { claim: 1, status: 'succeeded', units: 1 });
    assert.equal(late.body.error.code, 'LEASE_NOT_HELD');
    assert.equal((await report(keys.executor2, requested.id, { status: 'succeeded', units: 5 })).status, 200);
    const claims = await t.db.auditEvent.findMany({
      where: { type: 'agent_execution.claimed', payload: { path: ['executionId'], equals: requested.id } },
      orderBy: { seq: 'asc' },
    });
    assert.equal(claims.length, 2);
    assert.equal(
      (claims[1]!.payload as { previousClaimant: string }).previousClaimant,
      claims[0]!.actor.slice(8),
    );
  });

  it('a claim whose checks cannot reach the chain puts the execution back in the queue at once', async () => {
    const requested = await execute(firstCaller);
    const executor = (await new ApiKeyVerifier(t.db).verify(keys.executor))!;
    // The same gate over a node that does not answer (a closed port): the claim's second checks cannot be made.
    const unreachable = new JsonRpcProvider(`http://127.0.0.1:${await freePort()}`, undefined, {
      staticNetwork: true,
    });
    const offline = new Executions(
      t.db,
      new CallerChecks({
        db: t.db,
        provider: unreachable,
        contracts: t.service.chain.contracts as { AgentRegistry: string; ComplianceGatekeeper: string },
        policies: new Map(),
      }),
    );
    await assert.rejects(
      offline.claim({ keyId: executor.keyId, tenantId: executor.tenantId!, actor: 'test' }, 60),
      (error: CustosError) => error.code === 'CHAIN_UNAVAILABLE',
    );
    unreachable.destroy();
    const row = await t.db.agentExecution.findUniqueOrThrow({ where: { id: requested.id } });
    assert.equal(row.status, 'queued');
    assert.equal(row.claimedBy, null);
    const released = await t.db.auditEvent.findMany({
      where: { type: 'agent_execution.released', payload: { path: ['executionId'], equals: requested.id } },
    });
    assert.deepEqual(
      released.map((e) => (e.payload as { code: string }).code),
      ['CHAIN_UNAVAILABLE'],
    );
    const next = await claim(keys.executor2, { leaseSeconds: 60 });
    assert.equal(next.body.execution?.id, requested.id, 'claimable at once, not after a 60 s lease');
    assert.equal((await report(keys.executor2, requested.id, { status: 'succeeded', units: 1 })).status, 200);
  });

  it('two executors racing for one execution never both get it', async () => {
    await execute(firstCaller);
    const answers = await Promise.all([claim(keys.executor), claim(keys.executor2), claim(keys.executor)]);
    const won = answers.filter((a) => a.body.execution !== null);
    assert.equal(won.length, 1, JSON.stringify(answers.map((a) => a.body)));
    const winner = won[0] === answers[1] ? keys.executor2 : keys.executor;
    assert.equal(
      (await report(winner, won[0]!.body.execution.id, { status: 'succeeded', units: 1 })).status,
      200,
    );
  });

  it('configuration and reads stay within the tenant; bad ids and parameters are 4xx with a code', async () => {
    const rivalRead = await t.request('GET', `/v1/agents/${agentId}`, { key: keys.rivalOfficer });
    assert.equal(rivalRead.status, 404);
    const rivalWrite = await t.request('PUT', `/v1/agents/${agentId}`, {
      key: keys.rivalOfficer,
      body: { dailyQuota: 1_000_000 },
    });
    assert.equal(rivalWrite.status, 404);
    const rivalUsage = await t.request('GET', `/v1/agents/${agentId}/usage`, { key: keys.rivalOfficer });
    assert.equal(rivalUsage.status, 404);
    const officerAssigns = await t.request('PUT', `/v1/agents/${agentId}`, {
      key: keys.officer,
      body: { tenant: 'rival' },
    });
    assert.equal(officerAssigns.status, 403);
    assert.equal(officerAssigns.body.error.code, 'FORBIDDEN');
    const executorConfigures = await t.request('PUT', `/v1/agents/${agentId}`, {
      key: keys.executor,
      body: { dailyQuota: 5 },
    });
    assert.equal(executorConfigures.status, 403);

    const bad: [string, string, object | undefined][] = [
      ['GET', '/v1/agents/0', undefined],
      ['GET', `/v1/agents/${2n ** 256n}`, undefined],
      ['GET', '/v1/agents/1.5/usage', undefined],
      ['GET', `/v1/agents/${agentId}/usage?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z`, undefined],
      ['GET', `/v1/agents/${agentId}/usage?format=xml`, undefined],
      ['GET', `/v1/agents/${agentId}/usage?from=0000-01-01T00:00:00Z`, undefined],
      ['PUT', `/v1/agents/${agentId}`, {}],
      ['PUT', `/v1/agents/${agentId}`, { dailyQuota: -1 }],
      ['PUT', `/v1/agents/${agentId}`, { access: 'token' }],
      // The agent's access is open: a token gate it would not keep is refused, not dropped.
      ['PUT', `/v1/agents/${agentId}`, { token: firstCaller.address }],
      ['PUT', `/v1/agents/${agentId}`, { minBalance: '5' }],
      ['PUT', `/v1/agents/${agentId}`, { access: 'owner', minBalance: '5' }],
      ['PUT', `/v1/agents/${agentId}`, { owner: firstCaller.address }],
      ['POST', '/v1/agents/executions/claim', { leaseSeconds: 0 }],
      ['POST', '/v1/agents/executions/claim', { leaseSeconds: 3601 }],
      ['POST', '/v1/agents/executions/not-a-uuid/result', { status: 'succeeded', units: 1 }],
      ['POST', `/v1/agents/executions/${crypto.randomUUID()}/result`, { status: 'done', units: 1 }],
      ['POST', `/v1/agents/executions/${crypto.randomUUID()}/result`, { status: 'succeeded', units: -1 }],
      ['POST', `/v1/agents/executions/${crypto.randomUUID()}/result`, { status: 'succeeded', units: 1.5 }],
      [
        'POST',
        `/v1/agents/executions/${crypto.randomUUID()}/result`,
        { status: 'failed', units: 1, output: 'a\u0000b' },
      ],
    ];
    for (const [method, route, body] of bad) {
      const key =
        method === 'PUT' ? keys.officer : route.includes('executions') ? keys.executor : keys.officer;
      const response = await t.request(method, route, { key, body });
      assert.equal(
        response.status,
        400,
        `${method} ${route} ${JSON.stringify(body)}: ${JSON.stringify(response.body)}`,
      );
      assert.equal(response.body.error.code, 'VALIDATION_FAILED');
    }
    const kept = (await t.request('GET', `/v1/agents/${agentId}`, { key: keys.officer })).body.agent;
    assert.deepEqual([kept.access, kept.token, kept.minBalance], ['open', null, null]);
    const unknown = await report(keys.executor, crypto.randomUUID(), { status: 'succeeded', units: 1 });
    assert.equal(unknown.status, 404);
    const unconfigured = await t.request('PUT', '/v1/agents/999999', {
      key: keys.admin,
      body: { dailyQuota: 1 },
    });
    assert.equal(unconfigured.status, 400);
    const noTenant = await t.request('PUT', '/v1/agents/999999', {
      key: keys.admin,
      body: { tenant: 'nobody' },
    });
    assert.equal(noTenant.status, 404);
  });

  it('custos agents list|show|usage print the agent, its executions and its usage', async () => {
    const env = { CUSTOS_URL: t.service.url, CUSTOS_OFFICER_KEY: keys.officer };
    const list = await custos(['agents', 'list', '--json'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.ok((JSON.parse(list.stdout).agents as { agentId: string }[]).some((a) => a.agentId === agentId));
    const show = await custos(['agents', 'show', agentId], env);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /AGENT\s+TENANT/);
    assert.match(show.stdout, new RegExp(firstCaller.address));
    const usage = await custos(['agents', 'usage', agentId, '--csv'], env);
    assert.equal(usage.code, 0, usage.stderr);
    assert.match(usage.stdout, new RegExp(`^caller,executions,succeeded,failed,pending,refused,units\\n`));
    assert.match(usage.stdout, new RegExp(`${firstCaller.address},\\d+,`));
    const assigned = await custos(
      ['agents', 'configure', '424242', '--tenant', 'acme', '--access', 'owner', '--json'],
      {
        ...env,
        CUSTOS_ADMIN_KEY: keys.admin,
      },
    );
    assert.equal(assigned.code, 0, assigned.stderr);
    assert.deepEqual((({ tenant, access }) => ({ tenant, access }))(JSON.parse(assigned.stdout).agent), {
      tenant: 'acme',
      access: 'owner',
    });
    const missing = await custos(['agents', 'show', '999999'], env);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NOT_FOUND/);
  });
});
