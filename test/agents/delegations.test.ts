import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  Contract,
  HDNodeWallet,
  JsonRpcProvider,
  NonceManager,
  Signature,
  Wallet,
  hexlify,
  id,
  randomBytes,
  type ContractRunner,
} from 'ethers';
import { loadArtifact, policyIdOf } from '../../src/chain/index.js';
import { DELEGATION_TYPES } from '../../src/issuer/index.js';
import { custos } from '../helpers/cli.js';
import { ANVIL_SECOND_PRIVATE_KEY, approveSubject } from '../helpers/fixtures.js';
import { revertOf } from '../helpers/reverts.js';
import { eventually } from '../helpers/eventually.js';
import { startTestService, type TestService } from '../helpers/service.js';

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe('delegations (POST /v1/delegations, submitDelegation, AgentRegistry.executeAsDelegate)', () => {
  let t: TestService;
  let provider: JsonRpcProvider;
  let relayer: NonceManager;
  let dapp: string;
  let officer: string;
  let domain: Record<string, unknown>;
  let agentId: bigint;
  let executeAsDelegate: string;
  const contract = (name: 'AgentRegistry' | 'ComplianceGatekeeper', runner: ContractRunner) =>
    new Contract(t.service.chain.contracts[name]!, loadArtifact(name).abi, runner);

  before(async () => {
    t = await startTestService({ CHAIN_INDEX_INTERVAL_SECONDS: '1' });
    provider = new JsonRpcProvider(t.service.chain.rpcUrl, undefined, { cacheTimeout: -1 });
    relayer = new NonceManager(new Wallet(ANVIL_SECOND_PRIVATE_KEY, provider));
    [dapp, officer] = await Promise.all([t.key('dapp'), t.key('officer')]);
    domain = (await t.request('GET', '/v1/signers')).body.domain;
    const agents = contract('AgentRegistry', relayer);
    await (await agents.getFunction('registerAgent')(id('agent metadata'), policyIdOf('kyc-basic'))).wait();
    agentId = await agents.getFunction('agentCount')();
    executeAsDelegate = agents.interface.getFunction('executeAsDelegate')!.selector;
  });
  after(async () => {
    provider?.destroy();
    await t?.stop();
  });

  /** Terms from `principal` to `agent` allowing executeAsDelegate on the registry, issued now for an hour. */
  function terms(principal: HDNodeWallet, agent: string, overrides: Record<string, unknown> = {}) {
    const now = Math.floor(Date.now() / 1000) - 5;
    return {
      uid: hexlify(randomBytes(32)),
      principal: principal.address,
      agent,
      policy: 'kyc-basic',
      permissions: [{ target: t.service.chain.contracts.AgentRegistry!, selector: executeAsDelegate }],
      issuedAt: now,
      expiresAt: now + 3600,
      ...overrides,
    };
  }

  /** The principal's EIP-712 signature over `delegation` (an uncapped one signs 2^128-1). */
  function sign(signer: HDNodeWallet, delegation: ReturnType<typeof terms> & { spendCap?: string }) {
    const { policy, spendCap, ...rest } = delegation;
    return signer.signTypedData(domain, DELEGATION_TYPES, {
      ...rest,
      policyId: policyIdOf(policy),
      spendCap: spendCap ?? (2n ** 128n - 1n).toString(),
    });
  }

  const post = (body: unknown) => t.request('POST', '/v1/delegations', { key: dapp, body });

  /**
   * A screened principal with its record on the gatekeeper, and a funded agent acting under a delegation Custos
   * countersigned and the agent submitted (either party may).
   */
  async function delegatedAgent() {
    const principal = Wallet.createRandom();
    const agent = Wallet.createRandom().connect(provider);
    await (await relayer.sendTransaction({ to: agent.address, value: 10n ** 17n })).wait();
    await approveSubject(t.db, principal.address);
    const attestation = await t.request('POST', '/v1/attest', {
      key: dapp,
      body: { subject: principal.address, policy: 'kyc-basic' },
    });
    await (
      await contract('ComplianceGatekeeper', relayer).getFunction('submitAttestation')(
        attestation.body.message,
        attestation.body.signature,
      )
    ).wait();

    const delegation = terms(principal, agent.address);
    const { status, body } = await post({
      delegation,
      principalSignature: await sign(principal, delegation),
    });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.spendCap, (2n ** 128n - 1n).toString());

    await (
      await contract('ComplianceGatekeeper', agent).getFunction('submitDelegation')(
        body.message,
        body.principalSignature,
        body.signature,
      )
    ).wait();
    return { principal, agent, delegation, body };
  }

  it('countersigns a screened principal; the agent acts for it on-chain until the delegation is revoked', async () => {
    const { principal, agent, delegation, body } = await delegatedAgent();
    // The agent requests an execution in its principal's name.
    const registry = contract('AgentRegistry', agent);
    const receipt = await (
      await registry.getFunction('executeAsDelegate')(delegation.uid, agentId, id('rebalance'))
    ).wait();
    const requested = receipt.logs
      .map((log: Parameters<Contract['interface']['parseLog']>[0]) => registry.interface.parseLog(log))
      .find((log: { name: string } | null) => log?.name === 'ExecutionRequested');
    assert.equal(requested.args.caller, principal.address);

    const stored = await t.request('GET', `/v1/attestations/${delegation.uid}`, { key: dapp });
    assert.equal(stored.body.subject, principal.address);
    const issued = stored.body.audit.find((e: { type: string }) => e.type === 'delegation.issued');
    assert.equal(issued.payload.agent, agent.address);
    assert.equal(issued.payload.principalSignature, body.principalSignature);

    // The execution gate ties the request to the delegation it used, and queues it for an executor.
    const [admin, executor] = await Promise.all([t.key('admin'), t.key('executor')]);
    const configured = await t.request('PUT', `/v1/agents/${agentId}`, {
      key: admin,
      body: { tenant: 'test-tenant' },
    });
    assert.equal(configured.status, 200, JSON.stringify(configured.body));
    let execution: { status: string; attestationUid: string | null } | undefined;
    await eventually('the delegated request is decided', async () => {
      const { body } = await t.request('GET', `/v1/agents/executions?agentId=${agentId}`, { key: admin });
      execution = body.executions.find(
        (e: { requestId: string }) => e.requestId === String(requested.args.requestId),
      );
      return execution !== undefined;
    });
    assert.equal(execution!.status, 'queued', JSON.stringify(execution));
    assert.equal(execution!.attestationUid, delegation.uid.toLowerCase());

    const revoked = await custos(['revoke', delegation.uid, '--reason', 'agent key leaked', '--json'], {
      CUSTOS_URL: t.service.url,
      CUSTOS_OFFICER_KEY: officer,
    });
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(
      await revertOf(registry.getFunction('executeAsDelegate')(delegation.uid, agentId, id('again'))),
      /^DelegationRevoked\(/,
    );
    // Revoked between the request and the claim: the executor never gets it.
    const claimed = await t.request('POST', '/v1/agents/executions/claim', { key: executor, body: {} });
    assert.equal(claimed.body.execution ?? null, null, JSON.stringify(claimed.body));
    const after = await t.request('GET', `/v1/agents/executions?agentId=${agentId}`, { key: admin });
    const refused = after.body.executions.find(
      (e: { requestId: string }) => e.requestId === String(requested.args.requestId),
    );
    assert.equal(refused.status, 'refused', JSON.stringify(refused));
    assert.equal(refused.reasonCode, 'ATTESTATION_REVOKED');
  });

  it("revoking the agent's address revokes the delegations it acts under (a leaked agent key)", async () => {
    const { agent, delegation } = await delegatedAgent();
    const revoked = await custos(['revoke', agent.address, '--reason', 'agent key leaked', '--json'], {
      CUSTOS_URL: t.service.url,
      CUSTOS_OFFICER_KEY: officer,
    });
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.ok(JSON.parse(revoked.stdout).revoked.includes(delegation.uid.toLowerCase()), revoked.stdout);
    assert.match(
      await revertOf(
        contract('AgentRegistry', agent).getFunction('executeAsDelegate')(
          delegation.uid,
          agentId,
          id('after'),
        ),
      ),
      /^DelegationRevoked\(/,
    );
  });

  it('refuses a principal that does not pass screening, and audits the refusal', async () => {
    const principal = Wallet.createRandom();
    const delegation = terms(principal, Wallet.createRandom().address);
    const { status, body } = await post({
      delegation,
      principalSignature: await sign(principal, delegation),
    });
    assert.equal(status, 403);
    assert.equal(body.error.code, 'SCREENING_FAILED');
    assert.equal(await t.db.attestation.count({ where: { uid: delegation.uid } }), 0);
    const refusals = await t.db.auditEvent.count({
      where: { type: 'screening.failed', subject: principal.address },
    });
    assert.equal(refusals, 1);
  });

  it("refuses a signature that is not the principal's own, canonical one (422), or not a signature (400)", async () => {
    const principal = Wallet.createRandom();
    await approveSubject(t.db, principal.address);
    const agent = Wallet.createRandom();
    const delegation = terms(principal, agent.address);
    const own = await sign(principal, delegation);
    const parsed = Signature.from(own);
    // The same signature with s mirrored to the upper half (and v flipped): valid for ecrecover, not canonical.
    const highS = `${parsed.r}${(SECP256K1_N - BigInt(parsed.s)).toString(16).padStart(64, '0')}${(parsed.v === 27 ? 28 : 27).toString(16)}`;
    const refused = [
      await sign(agent, delegation),
      await sign(principal, { ...delegation, expiresAt: delegation.expiresAt + 1 }),
      `${own.slice(0, 130)}${(parsed.v - 27).toString(16).padStart(2, '0')}`,
      highS,
    ];
    for (const principalSignature of refused) {
      const { status, body } = await post({ delegation, principalSignature });
      assert.equal(status, 422, principalSignature);
      assert.equal(body.error.code, 'INVALID_PRINCIPAL_SIGNATURE');
    }
    for (const principalSignature of ['0x', own.slice(0, 130), `${own}00`, 'not hex']) {
      const { status, body } = await post({ delegation, principalSignature });
      assert.equal(status, 400, principalSignature);
      assert.equal(body.error.code, 'VALIDATION_FAILED');
    }
  });

  it('refuses terms the gatekeeper would refuse: 422 with a reason, or 400 for their grammar', async () => {
    const principal = Wallet.createRandom();
    await approveSubject(t.db, principal.address);
    const agent = Wallet.createRandom().address;
    const now = Math.floor(Date.now() / 1000);
    const permission = { target: t.service.chain.contracts.AgentRegistry!, selector: executeAsDelegate };
    const unacceptable: [Record<string, unknown>, string][] = [
      [{ expiresAt: now + 86_400 + 60 }, 'LIFETIME_TOO_LONG'],
      [{ issuedAt: now + 120, expiresAt: now + 600 }, 'ISSUED_IN_FUTURE'],
      [{ issuedAt: now - 3600, expiresAt: now + 600 }, 'ISSUED_TOO_LONG_AGO'],
      [{ issuedAt: now - 300, expiresAt: now - 1 }, 'EXPIRED'],
      [{ agent: principal.address }, 'SELF_DELEGATION'],
      [{ permissions: [permission, permission] }, 'DUPLICATE_PERMISSION'],
    ];
    for (const [overrides, reason] of unacceptable) {
      const delegation = terms(principal, agent, overrides);
      const { status, body } = await post({
        delegation,
        principalSignature: await sign(principal, delegation),
      });
      assert.equal(status, 422, `${reason}: ${JSON.stringify(body)}`);
      assert.equal(body.error.code, 'DELEGATION_UNACCEPTABLE');
      assert.equal(body.error.details.reason, reason);
    }
    const malformed: Record<string, unknown>[] = [
      { permissions: [] },
      {
        permissions: Array.from({ length: 17 }, (_, i) => ({
          ...permission,
          selector: `0x${'0'.repeat(7)}${i % 10}`,
        })),
      },
      { permissions: [{ ...permission, selector: '0x1234' }] },
      { permissions: [{ ...permission, extra: true }] },
      { spendCap: (2n ** 128n).toString() },
      { spendCap: '-1' },
      { spendCap: '01' },
      { spendCap: 100 },
      { agent: '0x0000000000000000000000000000000000000000' },
      { uid: '0x1234' },
      { expiresAt: 2 ** 64 },
      { signer: agent },
    ];
    for (const overrides of malformed) {
      const delegation = terms(principal, agent, overrides);
      const { status, body } = await post({ delegation, principalSignature: `0x${'11'.repeat(65)}` });
      assert.equal(status, 400, `${JSON.stringify(overrides)}: ${JSON.stringify(body)}`);
      assert.equal(body.error.code, 'VALIDATION_FAILED');
    }
  });

  it('refuses a uid already used (409), also when two requests race, and a capped delegation signs its cap', async () => {
    const principal = Wallet.createRandom();
    await approveSubject(t.db, principal.address);
    const delegation = { ...terms(principal, Wallet.createRandom().address), spendCap: '500' };
    const request = { delegation, principalSignature: await sign(principal, delegation) };
    const first = await post(request);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.message.spendCap, '500');
    const again = await post(request);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'ALREADY_EXISTS');

    // The same fresh request twice at once: one countersignature, one row.
    const racing = { ...delegation, uid: hexlify(randomBytes(32)) };
    const raced = { delegation: racing, principalSignature: await sign(principal, racing) };
    const statuses = (await Promise.all([post(raced), post(raced)])).map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 409]);
    assert.equal(await t.db.delegation.count({ where: { uid: racing.uid } }), 1);
  });
});
