import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Wallet, verifyTypedData } from 'ethers';
import { verifyAuditChain } from '../../src/audit/index.js';
import { ATTESTATION_BATCH_TYPES, attestationLeaf, verifyBatchProof } from '../../src/issuer/index.js';
import { APPROVED_KYC as approved } from '../helpers/fixtures.js';
import { startFakeKms, type FakeKms } from '../helpers/fakeKms.js';
import { startTestService, type TestService } from '../helpers/service.js';

/**
 * format eip712-batch against the real service, signing with the KMS fake (which counts Sign calls). A batch closes
 * at ATTEST_BATCH_MAX_SIZE (8) or a second after its first request: a test that wants one batch sends 8 at once.
 */
describe('batched attestations (eip712-batch)', () => {
  let kms: FakeKms;
  let t: TestService;
  let dapp: string;
  let officer: string;
  let otherTenant: string;

  before(async () => {
    kms = await startFakeKms();
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    t = await startTestService({
      SIGNER: 'aws-kms',
      KMS_KEY_ID: kms.createKey().keyId,
      AWS_REGION: 'eu-central-1',
      KMS_ENDPOINT: kms.endpoint,
      ATTEST_BATCH_WINDOW_MS: '1000',
      ATTEST_BATCH_MAX_SIZE: '8',
    });
    [dapp, officer, otherTenant] = await Promise.all([
      t.key('dapp'),
      t.key('officer'),
      t.key('dapp', 'another-tenant'),
    ]);
  });
  after(async () => {
    await t?.stop();
    await kms?.stop();
  });

  const compliantSubject = async () => {
    const subject = Wallet.createRandom().address;
    const set = await t.request('PUT', `/v1/kyc/${subject}`, { key: officer, body: approved });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    return subject;
  };
  const attest = (subject: string, headers?: Record<string, string>, extra: object = {}) =>
    t.request('POST', '/v1/attest', {
      key: dapp,
      body: { subject, policy: 'kyc-basic', format: 'eip712-batch', ...extra },
      headers,
    });
  /** The response is a valid leaf of its batch, whose root the service's key signed. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a response body as parsed JSON
  const assertValidLeaf = (body: any) => {
    assert.equal(body.format, 'eip712-batch');
    assert.equal(body.signature, undefined);
    assert.ok(verifyBatchProof(attestationLeaf(body.message), body.batch.proof, body.batch.root));
    assert.equal(
      verifyTypedData(body.domain, ATTESTATION_BATCH_TYPES, { root: body.batch.root }, body.batch.signature),
      body.signer,
    );
  };

  it('8 concurrent requests: one batch, one KMS signature, every proof valid, each stored and audited once', async () => {
    const subjects = await Promise.all(Array.from({ length: 8 }, compliantSubject));
    const signsBefore = kms.requests.Sign ?? 0;
    const responses = await Promise.all(subjects.map((s) => attest(s)));
    assert.equal((kms.requests.Sign ?? 0) - signsBefore, 1);
    for (const [i, r] of responses.entries()) {
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.subject, subjects[i]);
      assertValidLeaf(r.body);
    }
    const roots = new Set(responses.map((r) => r.body.batch.root));
    assert.equal(roots.size, 1);
    assert.deepEqual(
      responses.map((r) => r.body.batch.size),
      Array(8).fill(8),
    );
    const [root] = roots;
    const batch = await t.db.attestationBatch.findUnique({ where: { root: root! } });
    assert.deepEqual(
      { size: batch?.size, signature: batch?.signature },
      {
        size: 8,
        signature: responses[0]!.body.batch.signature,
      },
    );
    const rows = await t.db.attestation.findMany({ where: { batchRoot: root! } });
    assert.equal(rows.length, 8);
    const audits = await t.db.auditEvent.findMany({
      where: { type: 'attestation.issued', attestationUid: { in: rows.map((row) => row.uid) } },
    });
    assert.equal(audits.length, 8);
    for (const audit of audits)
      assert.deepEqual((audit.payload as { batch?: unknown }).batch, { root, size: 8 });
    assert.equal((await verifyAuditChain(t.db)).ok, true);
    const metrics = await t.request('GET', '/metrics');
    assert.match(metrics.body, /custos_attestation_batch_signatures_total 1\b/);
  });

  it('GET /v1/attestations/:uid and the list return the attestation with its batch; another tenant sees nothing', async () => {
    const subjects = await Promise.all(Array.from({ length: 8 }, compliantSubject));
    const responses = await Promise.all(subjects.map((s) => attest(s)));
    const { uid, subject, batch } = responses[3]!.body;
    const got = await t.request('GET', `/v1/attestations/${uid}`, { key: dapp });
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.equal(got.body.format, 'eip712-batch');
    assert.deepEqual(got.body.batch, batch);
    assert.equal(got.body.status, 'active');
    assert.equal(got.body.audit[0].payload.batch.root, batch.root);
    const list = await t.request('GET', `/v1/attestations?subject=${subject}`, { key: dapp });
    assert.deepEqual(list.body.attestations[0].batch, batch);

    const foreign = await t.request('GET', `/v1/attestations/${uid}`, { key: otherTenant });
    assert.equal(foreign.status, 404);
    const foreignList = await t.request('GET', `/v1/attestations?subject=${subject}`, { key: otherTenant });
    assert.deepEqual(foreignList.body.attestations, []);
  });

  it('a bad request inside a window does not spoil the batch', async () => {
    const good = await Promise.all(Array.from({ length: 3 }, compliantSubject));
    const unscreened = Wallet.createRandom().address;
    const [a, bad, b, malformed, c] = await Promise.all([
      attest(good[0]!),
      attest(unscreened),
      attest(good[1]!),
      attest(good[2]!, undefined, { action: { target: good[2], calldata: '0x12345678' } }),
      attest(good[2]!),
    ]);
    assert.equal(bad.status, 403, JSON.stringify(bad.body));
    assert.equal(bad.body.error.code, 'SCREENING_FAILED');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error.code, 'VALIDATION_FAILED');
    for (const r of [a, b, c]) {
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assertValidLeaf(r.body);
    }
    assert.equal(new Set([a, b, c].map((r) => r.body.batch.root)).size, 1);
    assert.equal(a.body.batch.size, 3);
    assert.equal(await t.db.attestation.count({ where: { subject: unscreened } }), 0);
  });

  it('one Idempotency-Key sent twice at once gives one attestation; replayed later, the same; reused, refused', async () => {
    const subject = await compliantSubject();
    const headers = { 'idempotency-key': `batch-${subject}` };
    const [first, second] = await Promise.all([attest(subject, headers), attest(subject, headers)]);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(second.body, first.body);
    assert.equal(await t.db.attestation.count({ where: { subject } }), 1);
    const replay = await attest(subject, headers);
    assert.deepEqual(replay.body, first.body);
    assertValidLeaf(replay.body);
    const asEip712 = await t.request('POST', '/v1/attest', {
      key: dapp,
      body: { subject, policy: 'kyc-basic' },
      headers,
    });
    assert.equal(asEip712.status, 409, JSON.stringify(asEip712.body));
    assert.equal(asEip712.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('a revoked subject is refused, as for eip712', async () => {
    const subject = await compliantSubject();
    const revoked = await t.request('POST', '/v1/revocations', {
      key: officer,
      body: { target: subject, reasonCode: 'FRAUD', reason: 'identity fraud found' },
    });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    const refused = await attest(subject);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'SCREENING_FAILED');
    assert.equal(await t.db.attestation.count({ where: { subject } }), 0);
  });

  it('a signer failure fails the whole batch with 503 SIGNER_UNAVAILABLE and stores none of it', async () => {
    const subjects = await Promise.all(Array.from({ length: 8 }, compliantSubject));
    const batchesBefore = await t.db.attestationBatch.count();
    kms.throttle = true;
    let responses;
    try {
      responses = await Promise.all(subjects.map((s) => attest(s)));
    } finally {
      kms.throttle = false;
    }
    for (const r of responses) {
      assert.equal(r.status, 503, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'SIGNER_UNAVAILABLE');
    }
    assert.equal(await t.db.attestation.count({ where: { subject: { in: subjects } } }), 0);
    assert.equal(await t.db.attestationBatch.count(), batchesBefore);
    const retried = await attest(subjects[0]!);
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
  });
});
