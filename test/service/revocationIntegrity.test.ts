import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Contract, JsonRpcProvider, Wallet } from 'ethers';
import { loadArtifact } from '../../src/chain/index.js';
import { custos } from '../helpers/cli.js';
import { APPROVED_KYC } from '../helpers/fixtures.js';
import { startTestService, type TestService } from '../helpers/service.js';

/** Tenant isolation, holds, revoked idempotent replays and concurrent revocations (issue 10 items 4, 5, 8). */
describe('revocations: tenants, holds, replays and races', () => {
  let t: TestService;
  let provider: JsonRpcProvider;
  let registry: Contract;
  const keys = {} as Record<
    'dappA' | 'officerA' | 'regulatorA' | 'officerB' | 'regulatorB' | 'dappB' | 'admin',
    string
  >;

  before(async () => {
    t = await startTestService();
    [keys.dappA, keys.officerA, keys.regulatorA, keys.dappB, keys.officerB, keys.regulatorB, keys.admin] =
      await Promise.all([
        t.key('dapp', 'tenant-a'),
        t.key('officer', 'tenant-a'),
        t.key('regulator', 'tenant-a'),
        t.key('dapp', 'tenant-b'),
        t.key('officer', 'tenant-b'),
        t.key('regulator', 'tenant-b'),
        t.key('admin', 'operator'),
      ]);
    provider = new JsonRpcProvider(t.service.chain.rpcUrl, undefined, { cacheTimeout: -1 });
    registry = new Contract(
      t.service.chain.contracts.RevocationRegistry,
      loadArtifact('RevocationRegistry').abi,
      provider,
    );
  });
  after(async () => {
    provider?.destroy();
    await t?.stop();
  });

  async function approvedSubject(): Promise<string> {
    const subject = Wallet.createRandom().address;
    await t.request('PUT', `/v1/kyc/${subject}`, { key: keys.officerA, body: APPROVED_KYC });
    return subject;
  }
  const attest = (subject: string, key = keys.dappA, headers: Record<string, string> = {}) =>
    t.request('POST', '/v1/attest', { key, body: { subject, policy: 'kyc-basic' }, headers });
  const revoke = (target: string, key: string, reason = 'identity fraud') =>
    t.request('POST', '/v1/revocations', { key, body: { target, reason } });
  const events = (where: Record<string, unknown>) =>
    t.db.auditEvent.findMany({ where, orderBy: { seq: 'asc' } });

  describe('tenant isolation', () => {
    it("another tenant's officer cannot revoke an attestation: 404 exactly as for one that does not exist", async () => {
      const subject = await approvedSubject();
      const { uid } = (await attest(subject)).body;
      const foreign = await revoke(uid, keys.officerB);
      const missing = await revoke(`0x${'ab'.repeat(32)}`, keys.officerB);
      assert.equal(foreign.status, 404);
      assert.deepEqual(
        [foreign.body.error.code, foreign.body.error.message.replace(uid, '<uid>')],
        [missing.body.error.code, missing.body.error.message.replace(`0x${'ab'.repeat(32)}`, '<uid>')],
      );
      assert.equal((await t.db.attestation.findUniqueOrThrow({ where: { uid } })).status, 'active');
      assert.equal(await registry.getFunction('isRevoked')(uid), false);
      assert.equal((await events({ attestationUid: uid, type: 'attestation.revoked' })).length, 0);
    });

    it("revoking an address touches only the caller's tenant: the other tenant's attestation and access stay", async () => {
      const subject = await approvedSubject();
      const { uid: uidA } = (await attest(subject, keys.dappA)).body;
      const { uid: uidB } = (await attest(subject, keys.dappB)).body;
      const result = await revoke(subject, keys.officerB);
      assert.equal(result.status, 200, JSON.stringify(result.body));
      assert.deepEqual(result.body.revoked, [uidB]);
      assert.equal((await t.db.attestation.findUniqueOrThrow({ where: { uid: uidA } })).status, 'active');
      assert.equal((await attest(subject, keys.dappA)).status, 200, 'tenant A still issues');
      assert.equal((await attest(subject, keys.dappB)).status, 403, 'tenant B holds the subject');
    });

    it("another tenant's regulator or officer reads neither the attestation nor its audit trail; reads are audited", async () => {
      const subject = await approvedSubject();
      const { uid } = (await attest(subject)).body;
      for (const key of [keys.regulatorB, keys.officerB, keys.dappB]) {
        const response = await t.request('GET', `/v1/attestations/${uid}`, { key });
        assert.equal(response.status, 404);
        assert.equal(response.body.error.code, 'NOT_FOUND');
        const list = await t.request('GET', `/v1/attestations?subject=${subject}`, { key });
        assert.deepEqual(list.body.attestations, []);
      }
      const own = await t.request('GET', `/v1/attestations/${uid}`, { key: keys.regulatorA });
      assert.equal(own.status, 200);
      assert.ok(own.body.audit.length > 0);
      const reads = await events({ type: 'audit.read' });
      assert.ok(
        reads.some(
          (e) =>
            JSON.stringify(e.payload) ===
            JSON.stringify({ action: 'attestation', filters: { attestationUid: uid } }),
        ),
        'the read of the audit trail is recorded',
      );
      assert.equal((await t.request('GET', `/v1/attestations/${uid}`, { key: keys.admin })).status, 200);
    });
  });

  describe('holds', () => {
    it('revoking an address holds it: the next attestation is refused until an officer lifts the hold', async () => {
      const subject = await approvedSubject();
      const { uid } = (await attest(subject)).body;
      const cli = {
        CUSTOS_URL: t.service.url,
        CUSTOS_OFFICER_KEY: keys.officerA,
        CUSTOS_DATA_DIR: t.dataDir,
      };
      const revoked = await custos(['revoke', subject, '--reason', 'identity fraud'], cli);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.match(revoked.stdout, new RegExp(`held ${subject}`));
      assert.equal(await registry.getFunction('isRevoked')(uid), true);

      const refused = await attest(subject);
      assert.equal(refused.status, 403);
      assert.deepEqual(
        refused.body.error.details.reasons.map((r: { code: string }) => r.code),
        ['SUBJECT_HELD'],
      );
      const zk = await t.request('POST', '/v1/attest', {
        key: keys.dappA,
        body: { subject, policy: 'kyc-basic', format: 'groth16', identitySecret: '12345' },
      });
      assert.equal(zk.status, 403);
      assert.equal(zk.body.error.details.reasons[0].code, 'SUBJECT_HELD');
      const failed = await events({ subject, type: 'screening.failed' });
      assert.ok(failed.every((e) => (e.payload as { reasons: string[] }).reasons.includes('SUBJECT_HELD')));

      const listed = await custos(['holds', 'list', '--subject', subject, '--json'], cli);
      assert.equal(JSON.parse(listed.stdout).holds.length, 1);
      const lifted = await custos(['holds', 'lift', subject, '--reason', 'fraud report withdrawn'], cli);
      assert.equal(lifted.code, 0, lifted.stderr);
      assert.equal((await attest(subject)).status, 200);
      assert.deepEqual(
        (await events({ subject, type: { in: ['hold.placed', 'hold.lifted'] } })).map((e) => e.type),
        ['hold.placed', 'hold.lifted'],
      );
      const again = await custos(['holds', 'lift', subject, '--reason', 'twice'], cli);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /NOT_FOUND: no active hold/);
    });

    it('a KYC re-approval after the hold lifts it; an officer of another tenant cannot lift it', async () => {
      const subject = await approvedSubject();
      await attest(subject);
      await revoke(subject, keys.officerA);
      assert.equal(
        (
          await t.request('POST', `/v1/holds/${subject}/lift`, {
            key: keys.officerB,
            body: { reason: 'not mine' },
          })
        ).status,
        404,
      );
      await t.request('PUT', `/v1/kyc/${subject}`, { key: keys.officerB, body: APPROVED_KYC });
      assert.equal(
        (await attest(subject)).status,
        403,
        "tenant B's re-approval does not lift tenant A's hold",
      );
      await t.request('PUT', `/v1/kyc/${subject}`, {
        key: keys.officerA,
        body: { ...APPROVED_KYC, reference: 'reviewed' },
      });
      assert.equal((await attest(subject)).status, 200);
      const [lift] = await events({ subject, type: 'hold.lifted' });
      assert.equal((lift!.payload as { reason: string }).reason, 'KYC re-approved');
    });

    it('revoking one uid alone does not hold the subject', async () => {
      const subject = await approvedSubject();
      const { uid } = (await attest(subject)).body;
      assert.equal((await revoke(uid, keys.officerA)).body.hold, null);
      assert.equal((await attest(subject)).status, 200);
    });
  });

  it('an idempotent retry of a revoked attestation is 409 ATTESTATION_REVOKED, never the attestation', async () => {
    const subject = await approvedSubject();
    const headers = { 'idempotency-key': `order-${Date.now()}` };
    const first = await attest(subject, keys.dappA, headers);
    assert.equal(first.status, 200);
    assert.equal((await attest(subject, keys.dappA, headers)).body.uid, first.body.uid);
    await revoke(first.body.uid, keys.officerA);
    const replay = await attest(subject, keys.dappA, headers);
    assert.equal(replay.status, 409);
    assert.equal(replay.body.error.code, 'ATTESTATION_REVOKED');
    assert.equal(replay.body.error.details.uid, first.body.uid);
    assert.equal(replay.body.signature, undefined);
  });

  it('ten concurrent revocations of one uid: one 200, nine 409, one audit event, revoked on-chain once', async () => {
    const subject = await approvedSubject();
    const { uid } = (await attest(subject)).body;
    const answers = await Promise.all(Array.from({ length: 10 }, () => revoke(uid, keys.officerA)));
    assert.deepEqual(
      answers.map((a) => a.status).sort(),
      [200, ...Array(9).fill(409)],
      JSON.stringify(answers.map((a) => a.body)),
    );
    assert.ok(answers.filter((a) => a.status === 409).every((a) => a.body.error.code === 'ALREADY_REVOKED'));
    assert.equal((await events({ attestationUid: uid, type: 'attestation.revoked' })).length, 1);
    assert.equal((await events({ attestationUid: uid, type: 'attestation.revocation_confirmed' })).length, 1);
    assert.equal(await registry.getFunction('isRevoked')(uid), true);
  });

  it('revoking an address while its uids are being revoked: no 5xx, each uid revoked and confirmed once', async () => {
    const subject = await approvedSubject();
    const uids: string[] = [];
    for (let i = 0; i < 3; i++) uids.push((await attest(subject)).body.uid);
    const answers = await Promise.all([
      ...uids.map((uid) => revoke(uid, keys.officerA)),
      revoke(subject, keys.officerA),
      revoke(subject, keys.officerA),
    ]);
    assert.ok(
      answers.every((a) => a.status === 200 || a.status === 409),
      JSON.stringify(answers.map((a) => a.body)),
    );
    for (const uid of uids) {
      assert.equal((await events({ attestationUid: uid, type: 'attestation.revoked' })).length, 1);
      assert.equal(
        (await events({ attestationUid: uid, type: 'attestation.revocation_confirmed' })).length,
        1,
      );
      assert.equal(await registry.getFunction('isRevoked')(uid), true);
    }
    assert.equal(await t.db.hold.count({ where: { subject, liftedAt: null } }), 1);
  });
});
