import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CustosRevertError, submitAttestation } from '@custos/sdk/ethers';
import { JsonRpcProvider, Wallet } from 'ethers';
import { ANVIL_SECOND_PRIVATE_KEY, APPROVED_KYC as approved } from '../helpers/fixtures.js';
import { startTestService, type TestService } from '../helpers/service.js';

/** eip712-batch attacked as a hostile or careless caller would, against the real service and its anvil. */
describe('batched attestations under attack', () => {
  let t: TestService;
  let dapp: string;
  let officer: string;
  let provider: JsonRpcProvider;
  let relayer: Wallet;

  before(async () => {
    t = await startTestService({ ATTEST_BATCH_WINDOW_MS: '400', ATTEST_BATCH_MAX_SIZE: '8' });
    [dapp, officer] = await Promise.all([t.key('dapp'), t.key('officer')]);
    provider = new JsonRpcProvider(t.service.chain.rpcUrl, undefined, { cacheTimeout: -1 });
    relayer = new Wallet(ANVIL_SECOND_PRIVATE_KEY, provider);
  });
  after(async () => {
    provider?.destroy();
    await t?.stop();
  });

  const compliantSubject = async () => {
    const subject = Wallet.createRandom().address;
    const set = await t.request('PUT', `/v1/kyc/${subject}`, { key: officer, body: approved });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    return subject;
  };
  const attest = (subject: string, extra: object = {}, headers?: Record<string, string>) =>
    t.request('POST', '/v1/attest', {
      key: dapp,
      body: { subject, policy: 'kyc-basic', format: 'eip712-batch', ...extra },
      headers,
    });

  it('a subject revoked while its request waits in the batch window is refused; the rest of the batch is issued', async () => {
    const [subject, bystander] = await Promise.all([compliantSubject(), compliantSubject()]);
    const pending = Promise.all([attest(subject), attest(bystander)]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const revoked = await t.request('POST', '/v1/revocations', {
      key: officer,
      body: { target: subject, reasonCode: 'FRAUD', reason: 'identity fraud found' },
    });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    const [refused, issued] = await pending;
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'SCREENING_FAILED');
    assert.deepEqual(
      refused.body.error.details.reasons.map((r: { code: string }) => r.code),
      ['SUBJECT_HELD'],
    );
    assert.equal(await t.db.attestation.count({ where: { subject } }), 0);
    const audits = await t.db.auditEvent.findMany({ where: { subject, type: 'screening.failed' } });
    assert.equal(audits.length, 1);
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    assert.equal(issued.body.batch.size, 1);
    const stored = await t.db.attestationBatch.findUnique({ where: { root: issued.body.batch.root } });
    assert.equal(stored?.size, 1);
  });

  it('the emergency stop during a window: 503 PAUSED, nothing stored', async () => {
    const subject = await compliantSubject();
    const pending = attest(subject);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const paused = await t.request('POST', '/v1/emergency/pause', {
      key: officer,
      body: { reason: 'drill' },
    });
    assert.equal(paused.status, 200, JSON.stringify(paused.body));
    const issued = await pending;
    const resumed = await t.request('POST', '/v1/emergency/unpause', {
      key: await t.key('admin'),
      body: { reason: 'drill over' },
    });
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    assert.equal(issued.status, 503, JSON.stringify(issued.body));
    assert.equal(issued.body.error.code, 'PAUSED');
    assert.equal(await t.db.attestation.count({ where: { subject } }), 0);
  });

  it('the same subject twice in one batch, a revoked uid, on-chain and reconciliation', async () => {
    const subject = await compliantSubject();
    const [a, b] = await Promise.all([attest(subject), attest(subject)]);
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.equal(b.status, 200, JSON.stringify(b.body));
    assert.equal(a.body.batch.root, b.body.batch.root);
    assert.notEqual(a.body.uid, b.body.uid);
    const gatekeeper = t.service.chain.contracts.ComplianceGatekeeper;
    await submitAttestation(relayer, { gatekeeper, attestation: a.body });
    const foreign = await t.request('POST', '/v1/revocations', {
      key: await t.key('officer', 'another-tenant'),
      body: { target: b.body.uid, reasonCode: 'FRAUD', reason: 'not mine' },
    });
    assert.equal(foreign.status, 404, JSON.stringify(foreign.body));
    const revoked = await t.request('POST', '/v1/revocations', {
      key: officer,
      body: { target: b.body.uid, reasonCode: 'FRAUD', reason: 'one leaf' },
    });
    assert.equal(revoked.status, 200);
    const status = await t.request('GET', `/v1/attestations/${b.body.uid}`, { key: dapp });
    assert.equal(status.body.status, 'revoked');
    await assert.rejects(
      submitAttestation(relayer, { gatekeeper, attestation: b.body }),
      (error: unknown) => error instanceof CustosRevertError && error.errorName === 'AttestationRevoked',
    );
    const revokedA = await t.request('POST', '/v1/revocations', {
      key: officer,
      body: { target: a.body.uid, reasonCode: 'FRAUD', reason: 'submitted leaf' },
    });
    assert.equal(revokedA.status, 200, JSON.stringify(revokedA.body));
    // Once the indexer has read the revocation's block, the database and the chain agree.
    let reconcile;
    for (let attempt = 0; attempt < 150; attempt++) {
      reconcile = await t.request('GET', '/v1/reconcile', { key: officer });
      if ((reconcile.body.indexedThroughBlock ?? -1) >= revokedA.body.blockNumber) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(reconcile!.body.indexedThroughBlock >= revokedA.body.blockNumber, 'the indexer caught up');
    assert.deepEqual(reconcile!.body.disagreements, []);
    const verify = await t.request('GET', '/v1/audit/verify', { key: officer });
    assert.equal(verify.body.ok, true);
  });

  it('bad inputs are 4xx with a code', async () => {
    const subject = await compliantSubject();
    const bodies: object[] = [
      { chainId: 1 },
      { chainId: -1 },
      { chainId: 2 ** 64 },
      { action: { target: subject, calldata: '0x12345678' } },
      { signer: subject },
      { expiresAt: 1 },
      { policy: 'nope' },
      { policy: '\u0000' },
      { subject: '0x0000000000000000000000000000000000000000' },
      { subject: '\ud800' },
      { format: 'EIP712-BATCH' },
      { format: null },
    ];
    for (const extra of bodies) {
      const r = await attest(subject, extra);
      assert.ok(r.status >= 400 && r.status < 500 && r.body.error?.code, JSON.stringify([extra, r.body]));
    }
    for (const key of ['', ' ', 'x'.repeat(300)]) {
      const r = await attest(subject, {}, { 'idempotency-key': key });
      assert.ok(r.status < 500, JSON.stringify([key, r.body]));
    }
    const noKey = await t.request('POST', '/v1/attest', {
      body: { subject, policy: 'kyc-basic', format: 'eip712-batch' },
    });
    assert.equal(noKey.status, 401);
  });

  it('eip712 then eip712-batch under one Idempotency-Key is refused', async () => {
    const subject = await compliantSubject();
    const headers = { 'idempotency-key': `mix-${subject}` };
    const first = await t.request('POST', '/v1/attest', {
      key: dapp,
      body: { subject, policy: 'kyc-basic' },
      headers,
    });
    assert.equal(first.status, 200);
    const second = await attest(subject, {}, headers);
    assert.equal(second.status, 409, JSON.stringify(second.body));
    const [x, y] = await Promise.all([
      attest(subject, {}, { 'idempotency-key': `b-${subject}` }),
      t.request('POST', '/v1/attest', {
        key: dapp,
        body: { subject, policy: 'kyc-basic' },
        headers: { 'idempotency-key': `b-${subject}` },
      }),
    ]);
    assert.ok(x.status < 500 && y.status < 500);
  });
});
