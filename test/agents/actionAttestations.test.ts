import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AbiCoder,
  Contract,
  HDNodeWallet,
  JsonRpcProvider,
  NonceManager,
  Wallet,
  concat,
  id,
  keccak256,
  type ContractRunner,
} from 'ethers';
import { MAX_CALLDATA_BYTES } from '@custos/sdk/api';
import { loadArtifact, policyIdOf } from '../../src/chain/index.js';
import { ANVIL_SECOND_PRIVATE_KEY, approveSubject } from '../helpers/fixtures.js';
import { eventually } from '../helpers/eventually.js';
import { revertOf } from '../helpers/reverts.js';
import { startTestService, type TestService } from '../helpers/service.js';

const abi = AbiCoder.defaultAbiCoder();

/** What an action attestation for AgentRegistry.executeWithAttestation(agentId, taskHash) hashes. */
const executionArgs = (agentId: bigint, taskHash: string) =>
  abi.encode(['uint256', 'bytes32'], [agentId, taskHash]);

describe('action-bound attestations (POST /v1/attest with action, AgentRegistry.executeWithAttestation)', () => {
  let t: TestService;
  let provider: JsonRpcProvider;
  let dapp: string;
  let officer: string;
  let caller: HDNodeWallet;
  let agentId: bigint;
  let selector: string;
  let relayer: NonceManager;
  let admin: string;
  const registry = (runner: ContractRunner) =>
    new Contract(t.service.chain.contracts.AgentRegistry!, loadArtifact('AgentRegistry').abi, runner);

  before(async () => {
    t = await startTestService({ CHAIN_INDEX_INTERVAL_SECONDS: '1' });
    provider = new JsonRpcProvider(t.service.chain.rpcUrl, undefined, { cacheTimeout: -1 });
    relayer = new NonceManager(new Wallet(ANVIL_SECOND_PRIVATE_KEY, provider));
    [dapp, officer, admin] = await Promise.all([t.key('dapp'), t.key('officer'), t.key('admin')]);
    caller = Wallet.createRandom().connect(provider);
    await (await relayer.sendTransaction({ to: caller.address, value: 10n ** 17n })).wait();
    await approveSubject(t.db, caller.address);
    const agents = registry(relayer);
    await (await agents.getFunction('registerAgent')(id('agent metadata'), policyIdOf('kyc-basic'))).wait();
    agentId = await agents.getFunction('agentCount')();
    selector = agents.interface.getFunction('executeWithAttestation')!.selector;
    const configured = await t.request('PUT', `/v1/agents/${agentId}`, {
      key: admin,
      body: { tenant: 'test-tenant' },
    });
    assert.equal(configured.status, 200, JSON.stringify(configured.body));
  });
  after(async () => {
    provider?.destroy();
    await t?.stop();
  });

  const attest = (action: unknown, subject = caller.address, headers?: Record<string, string>) =>
    t.request('POST', '/v1/attest', { key: dapp, body: { subject, policy: 'kyc-basic', action }, headers });
  const execute = (taskHash: string, body: { message: unknown; signature: string }) =>
    registry(caller).getFunction('executeWithAttestation')(agentId, taskHash, body.message, body.signature);

  it('is spent by the one call it names, once, and leaves no compliance record', async () => {
    const task = id('summarise the filings');
    const target = t.service.chain.contracts.AgentRegistry!;
    const argsHash = keccak256(executionArgs(agentId, task));
    const { status, body } = await attest({ target, selector, argsHash });
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(Object.keys(body.types), ['ActionAttestation']);
    assert.deepEqual(body.action, { target, selector, argsHash });
    assert.equal(body.expiresAt - body.issuedAt, 300, "kyc-basic's default action lifetime");

    const receipt = await (await execute(task, body)).wait();
    const requested = receipt.logs
      .map((log: Parameters<Contract['interface']['parseLog']>[0]) =>
        registry(provider).interface.parseLog(log),
      )
      .find((log: { name: string } | null) => log?.name === 'ExecutionRequested');
    assert.equal(requested.args.caller, caller.address);
    assert.equal(requested.args.taskHash, task);

    assert.match(await revertOf(execute(task, body)), /^AttestationAlreadyUsed\(/);
    const gatekeeper = new Contract(
      t.service.chain.contracts.ComplianceGatekeeper,
      loadArtifact('ComplianceGatekeeper').abi,
      provider,
    );
    assert.equal(await gatekeeper.getFunction('isCompliant')(caller.address, policyIdOf('kyc-basic')), false);

    const stored = await t.request('GET', `/v1/attestations/${body.uid}`, { key: dapp });
    assert.equal(stored.status, 200);
    assert.deepEqual(stored.body.action, { target, selector, argsHash });
    const issued = stored.body.audit.find((e: { type: string }) => e.type === 'attestation.issued');
    assert.deepEqual(issued.payload.action, { target, selector, argsHash });
  });

  it('derives selector and argsHash from calldata, and refuses other arguments on-chain', async () => {
    const task = id('file the report');
    const calldata = concat([selector, executionArgs(agentId, task)]);
    const { status, body } = await attest({ target: t.service.chain.contracts.AgentRegistry, calldata });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.action.selector, selector);
    assert.equal(body.action.argsHash, keccak256(executionArgs(agentId, task)));

    assert.match(await revertOf(execute(id('drain the treasury'), body)), /^ActionArgsMismatch\(/);
    await (await execute(task, body)).wait();
  });

  it('stops working once revoked', async () => {
    const task = id('revoked task');
    const { body } = await attest({
      target: t.service.chain.contracts.AgentRegistry,
      calldata: concat([selector, executionArgs(agentId, task)]),
    });
    const revoked = await t.request('POST', '/v1/revocations', {
      key: officer,
      body: { target: body.uid, reasonCode: 'OTHER', reason: 'test' },
    });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.match(await revertOf(execute(task, body)), /^AttestationRevoked\(/);
  });

  it('screens the subject like any attestation', async () => {
    const { status, body } = await attest(
      { target: t.service.chain.contracts.AgentRegistry, selector, argsHash: id('x') },
      Wallet.createRandom().address,
    );
    assert.equal(status, 403);
    assert.equal(body.error.code, 'SCREENING_FAILED');
  });

  it('an Idempotency-Key replays the same action only', async () => {
    const action = { target: t.service.chain.contracts.AgentRegistry, selector, argsHash: id('once') };
    const headers = { 'idempotency-key': `action-${Date.now()}` };
    const first = await attest(action, caller.address, headers);
    const again = await attest(action, caller.address, headers);
    assert.equal(again.body.uid, first.body.uid);
    const other = await attest({ ...action, argsHash: id('twice') }, caller.address, headers);
    assert.equal(other.status, 409);
    assert.equal(other.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('refuses malformed and hostile actions with 400 and a code', async () => {
    const target = t.service.chain.contracts.AgentRegistry!;
    const words = (n: number) => '00'.repeat(32 * n);
    const hostile: unknown[] = [
      { target, selector: '0x1234', argsHash: id('a') },
      { target, selector: `${selector}00`, argsHash: id('a') },
      { target, selector, argsHash: '0x1234' },
      { target, selector },
      { target: '0x0000000000000000000000000000000000000000', selector, argsHash: id('a') },
      { target: 'not an address', calldata: selector },
      { target, calldata: '0x1234' },
      { target, calldata: `${selector}00` },
      { target, calldata: `${selector}${'zz'.repeat(32)}` },
      { target, calldata: `0x${selector.slice(2)}${words(MAX_CALLDATA_BYTES / 32)}` },
      { target, calldata: selector, selector, argsHash: id('a') },
      { target, selector, argsHash: id('a'), expiresAt: 9_999_999_999 },
      { target, selector: `${selector}\u0000`, argsHash: id('a') },
      [target, selector],
      'calldata',
      null,
    ];
    for (const action of hostile) {
      const { status, body } = await attest(action);
      assert.equal(status, 400, `${JSON.stringify(action)}: ${JSON.stringify(body)}`);
      assert.equal(body.error.code, 'VALIDATION_FAILED');
    }
    const groth16 = await t.request('POST', '/v1/attest', {
      key: dapp,
      body: {
        subject: caller.address,
        policy: 'kyc-basic',
        format: 'groth16',
        identitySecret: '1',
        action: {},
      },
    });
    assert.equal(groth16.status, 400);
    assert.equal(groth16.body.error.code, 'VALIDATION_FAILED');
    // The largest calldata accepted still attests.
    const largest = await attest({
      target,
      calldata: `${selector}${words(Math.floor((MAX_CALLDATA_BYTES - 4) / 32))}`,
    });
    assert.equal(largest.status, 200, JSON.stringify(largest.body));
  });

  it('the execution gate judges the request by the action attestation it spent, not by an older record', async () => {
    // A caller whose recorded attestation was revoked (by uid: no hold) acts with a fresh action attestation.
    const actor = Wallet.createRandom().connect(provider);
    await (await relayer.sendTransaction({ to: actor.address, value: 10n ** 17n })).wait();
    await approveSubject(t.db, actor.address);
    const record = await attest(undefined, actor.address);
    const gatekeeper = new Contract(
      t.service.chain.contracts.ComplianceGatekeeper,
      loadArtifact('ComplianceGatekeeper').abi,
      relayer,
    );
    await (
      await gatekeeper.getFunction('submitAttestation')(record.body.message, record.body.signature)
    ).wait();
    const revokeUid = (uid: string) =>
      t.request('POST', '/v1/revocations', {
        key: officer,
        body: { target: uid, reasonCode: 'OTHER', reason: 'superseded' },
      });
    assert.equal((await revokeUid(record.body.uid)).status, 200);

    const task = id('an action by a caller with a revoked record');
    const action = await attest(
      {
        target: t.service.chain.contracts.AgentRegistry,
        calldata: concat([selector, executionArgs(agentId, task)]),
      },
      actor.address,
    );
    assert.equal(action.status, 200, JSON.stringify(action.body));
    await (
      await registry(actor).getFunction('executeWithAttestation')(
        agentId,
        task,
        action.body.message,
        action.body.signature,
      )
    ).wait();
    const decided = async () => {
      const { body } = await t.request('GET', `/v1/agents/executions?caller=${actor.address}`, {
        key: admin,
      });
      return body.executions[0] as
        { status: string; attestationUid: string; reasonCode: string | null } | undefined;
    };
    await eventually('the gate decides the request', async () => (await decided()) !== undefined);
    const execution = (await decided())!;
    assert.equal(execution.attestationUid, action.body.uid.toLowerCase());
    assert.equal(execution.status, 'queued', JSON.stringify(execution));

    // Revoking the action attestation between the request and the claim stops it.
    assert.equal((await revokeUid(action.body.uid)).status, 200);
    // The executor takes what waits (the earlier tests' executions too) until nothing does: never the actor's.
    const executor = await t.key('executor');
    for (;;) {
      const { body } = await t.request('POST', '/v1/agents/executions/claim', { key: executor, body: {} });
      if (!body.execution) break;
      assert.notEqual(
        body.execution.caller,
        actor.address,
        'a revoked action attestation is never handed out',
      );
      const reported = await t.request('POST', `/v1/agents/executions/${body.execution.id}/result`, {
        key: executor,
        body: { claim: body.execution.claims, status: 'succeeded', units: 1 },
      });
      assert.equal(reported.status, 200, JSON.stringify(reported.body));
    }
    assert.equal((await decided())!.status, 'refused');
    assert.equal((await decided())!.reasonCode, 'ATTESTATION_REVOKED');
  });
});
