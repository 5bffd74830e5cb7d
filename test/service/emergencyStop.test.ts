import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Contract, JsonRpcProvider, Wallet } from 'ethers';
import { createIdentity } from '@custos/sdk/holder';
import { loadArtifact } from '../../src/chain/index.js';
import { custos } from '../helpers/cli.js';
import { eventually } from '../helpers/eventually.js';
import { APPROVED_KYC } from '../helpers/fixtures.js';
import { startTestService, type TestService } from '../helpers/service.js';

/**
 * The emergency stop against the real service and chain: officers pull it, admins lift it (here with a second
 * admin's approval, FOUR_EYES=emergency-unpause); while it is on nothing is issued and the gatekeeper is paused,
 * but revocations and reads carry on.
 */
describe('the emergency stop', () => {
  let t: TestService;
  let dapp: string;
  let officer: string;
  let admin: string;
  let secondAdmin: string;
  let otherTenantOfficer: string;
  let gatekeeper: Contract;
  let provider: JsonRpcProvider;
  const subject = Wallet.createRandom().address;
  const reason = { reasonCode: 'OTHER', reason: 'signing key suspected compromised' };
  const cliEnv = () => ({
    CUSTOS_URL: t.service.url,
    CUSTOS_OFFICER_KEY: officer,
    CUSTOS_ADMIN_KEY: admin,
    CUSTOS_DATA_DIR: t.dataDir,
  });
  const attest = () => t.request('POST', '/v1/attest', { key: dapp, body: { subject, policy: 'kyc-basic' } });
  const issueCredential = () =>
    t.request('POST', '/v1/credentials', {
      key: dapp,
      body: { subject, policy: 'kyc-basic', identityCommitment: createIdentity().commitment.toString() },
    });
  const auditTypes = async () =>
    (
      await t.db.$queryRaw<{ type: string }[]>`
        SELECT type FROM audit_events WHERE type LIKE 'emergency.%' ORDER BY seq`
    ).map((r) => r.type);

  before(async () => {
    t = await startTestService({ FOUR_EYES: 'emergency-unpause' });
    dapp = await t.key('dapp');
    officer = await t.key('officer');
    admin = await t.key('admin');
    secondAdmin = await t.key('admin');
    otherTenantOfficer = await t.key('officer', 'other-tenant');
    provider = new JsonRpcProvider(t.service.chain.rpcUrl, undefined, { cacheTimeout: -1 });
    gatekeeper = new Contract(
      t.service.chain.contracts.ComplianceGatekeeper,
      loadArtifact('ComplianceGatekeeper').abi,
      provider,
    );
    const kyc = await t.request('PUT', `/v1/kyc/${subject}`, { key: officer, body: APPROVED_KYC });
    assert.equal(kyc.status, 200, JSON.stringify(kyc.body));
  });
  after(async () => {
    provider?.destroy();
    await t?.stop();
  });

  it('is off at first, readable with any key and none without one', async () => {
    const state = await t.request('GET', '/v1/emergency', { key: dapp });
    assert.equal(state.status, 200, JSON.stringify(state.body));
    assert.equal(state.body.paused, false);
    assert.equal((await t.request('GET', '/v1/emergency')).status, 401);
    assert.match(
      String((await t.request('GET', '/metrics')).body),
      /custos_emergency_paused\{scope="service"\} 0/,
    );
  });

  it('a dApp key cannot pull it; bad bodies are 400 with a code', async () => {
    const refused = await t.request('POST', '/v1/emergency/pause', { key: dapp, body: reason });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'FORBIDDEN');
    for (const body of [{}, { reason: 'x' }, { ...reason, reasonCode: 'NOPE' }, { ...reason, extra: 1 }]) {
      const bad = await t.request('POST', '/v1/emergency/pause', { key: officer, body });
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
    }
    assert.equal((await t.request('GET', '/v1/emergency', { key: dapp })).body.paused, false);
  });

  it('an officer pulls it with the CLI: intake answers 503 PAUSED and the gatekeeper is paused', async () => {
    const uid = (await attest()).body.uid as string;
    assert.ok(uid, 'attests before the stop');
    const pulled = await custos(
      ['--json', 'emergency', 'pause', '--reason-code', 'OTHER', '--reason', 'key suspected compromised'],
      cliEnv(),
    );
    assert.equal(pulled.code, 0, pulled.stderr);
    const state = JSON.parse(pulled.stdout);
    assert.equal(state.paused, true);
    assert.equal(state.chain.paused, true, JSON.stringify(state.chain));
    assert.match(state.chain.txHash, /^0x[0-9a-f]{64}$/);
    assert.equal(await gatekeeper.getFunction('paused')(), true);
    const metrics = String((await t.request('GET', '/metrics')).body);
    assert.match(metrics, /custos_emergency_paused\{scope="service"\} 1/);
    assert.match(metrics, /custos_emergency_paused\{scope="gatekeeper"\} 1/);

    const claim = t.request('POST', '/v1/agents/executions/claim', {
      key: await t.key('executor'),
      body: {},
    });
    for (const refused of [await attest(), await issueCredential(), await claim]) {
      assert.equal(refused.status, 503, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, 'PAUSED');
    }
    // Revocations and reads carry on: the stop is for issuing, not for switching things off.
    const revoked = await t.request('POST', '/v1/revocations', {
      key: officer,
      body: { target: uid, reasonCode: 'OTHER', reason: 'issued under the suspect key' },
    });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.equal((await t.request('GET', `/v1/attestations/${uid}`, { key: dapp })).status, 200);

    const again = await t.request('POST', '/v1/emergency/pause', { key: otherTenantOfficer, body: reason });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'ALREADY_PAUSED');
    const status = await custos(['emergency', 'status'], cliEnv());
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /true/);
    assert.match(status.stdout, /paused/);
  });

  it('only an admin lifts it, and only with a second admin: officers are refused at every step', async () => {
    const byOfficer = await t.request('POST', '/v1/emergency/unpause', { key: officer, body: reason });
    assert.equal(byOfficer.status, 403);

    const requested = await custos(
      ['emergency', 'unpause', '--reason', 'key rotated, suspect attestations revoked'],
      cliEnv(),
    );
    assert.equal(requested.code, 0, requested.stderr);
    const id = /approval (\S+)/.exec(requested.stdout)?.[1];
    assert.ok(id, requested.stdout);
    assert.equal((await attest()).status, 503, 'still stopped while the approval waits');

    const own = await custos(['approvals', 'approve', id, '--admin'], cliEnv());
    assert.notEqual(own.code, 0, 'the requester cannot approve their own');
    const officers = await t.request('POST', `/v1/approvals/${id}/approve`, { key: officer });
    assert.equal(officers.status, 403, JSON.stringify(officers.body));
    assert.equal(officers.body.error.code, 'FORBIDDEN');

    const approved = await t.request('POST', `/v1/approvals/${id}/approve`, { key: secondAdmin });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    const state = (await t.request('GET', '/v1/emergency', { key: dapp })).body;
    assert.equal(state.paused, false);
    assert.equal(state.chain.paused, false, JSON.stringify(state.chain));
    assert.equal(await gatekeeper.getFunction('paused')(), false);
    assert.equal((await attest()).status, 200, 'issues again');

    const notPaused = await t.request('POST', '/v1/emergency/unpause', { key: secondAdmin, body: reason });
    assert.equal(notPaused.status, 409, 'nothing to lift: refused before anyone is asked to approve it');
    assert.equal(notPaused.body.error.code, 'NOT_PAUSED');
  });

  it('every change and the chain following it are in the audit log, which still verifies', async () => {
    const types = await auditTypes();
    assert.deepEqual(
      types.filter((type) => type !== 'emergency.chain_synced'),
      ['emergency.paused', 'emergency.unpaused'],
    );
    assert.equal(types.filter((type) => type === 'emergency.chain_synced').length, 2);
    const verified = await t.request('GET', '/v1/audit/verify', { key: await t.key('regulator') });
    assert.equal(verified.status, 200, JSON.stringify(verified.body));
    assert.equal(verified.body.ok, true, JSON.stringify(verified.body));
    assert.equal(verified.body.breakCount, 0);
  });

  it('an approval to lift one stop never lifts a later one: it is stale and closed', async () => {
    const pause = () => t.request('POST', '/v1/emergency/pause', { key: officer, body: reason });
    const requestUnpause = (key: string) => t.request('POST', '/v1/emergency/unpause', { key, body: reason });
    const approve = (id: string, key: string) => t.request('POST', `/v1/approvals/${id}/approve`, { key });
    assert.equal((await pause()).status, 200);
    const leftOver = (await requestUnpause(admin)).body.approval.id as string;
    const lifting = (await requestUnpause(secondAdmin)).body.approval.id as string;
    assert.equal((await approve(lifting, admin)).status, 200, 'the first stop is lifted by another approval');

    assert.equal((await pause()).status, 200, 'a later incident');
    const stale = await approve(leftOver, secondAdmin);
    assert.equal(stale.status, 409, JSON.stringify(stale.body));
    assert.equal(stale.body.error.code, 'APPROVAL_STALE');
    assert.equal((await t.request('GET', '/v1/emergency', { key: dapp })).body.paused, true, 'still stopped');
    const closed = await t.request('GET', '/v1/approvals?status=rejected', { key: admin });
    assert.ok(
      closed.body.approvals.some((a: { id: string }) => a.id === leftOver),
      'closed, not pending',
    );
    assert.equal((await approve(leftOver, secondAdmin)).body.error.code, 'APPROVAL_DECIDED');

    const fresh = (await requestUnpause(admin)).body.approval.id as string;
    assert.equal((await approve(fresh, secondAdmin)).status, 200, 'a fresh request for this stop lifts it');
  });

  it('an attestation under way when the stop is pulled is not issued (checked where it would be committed)', async () => {
    // A custodial proof takes a second or more: the stop is pulled while it is being made.
    const underWay = t.request('POST', '/v1/attest', {
      key: dapp,
      body: { subject, policy: 'kyc-basic', format: 'groth16', identitySecret: '987654321' },
    });
    await eventually('the proof is being made', async () =>
      /custos_prover_jobs\{state="busy"\} 1/.test(String((await t.request('GET', '/metrics')).body)),
    );
    const pulled = await t.request('POST', '/v1/emergency/pause', { key: officer, body: reason });
    assert.equal(pulled.status, 200, JSON.stringify(pulled.body));
    const answer = await underWay;
    assert.equal(answer.status, 503, JSON.stringify(answer.body));
    assert.equal(answer.body.error.code, 'PAUSED');
    assert.match(answer.body.error.message, /while this was being issued/, 'refused where it commits');
    const [counted] = await t.db.$queryRaw<{ after: bigint }[]>`
      SELECT count(*) AS after FROM audit_events
       WHERE type IN ('attestation.issued', 'credential.issued')
         AND seq > (SELECT max(seq) FROM audit_events WHERE type = 'emergency.paused')`;
    assert.equal(Number(counted!.after), 0, 'nothing issued after the stop');
  });
});
