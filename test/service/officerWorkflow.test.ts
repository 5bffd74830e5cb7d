import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Contract, JsonRpcProvider, Wallet } from 'ethers';
import { loadArtifact } from '../../src/chain/index.js';
import { custos } from '../helpers/cli.js';
import { eventually } from '../helpers/eventually.js';
import { APPROVED_KYC } from '../helpers/fixtures.js';
import { startTestService, type TestService } from '../helpers/service.js';

/**
 * The officers' workflow against the real service: four-eyes approvals (FOUR_EYES), bulk revocations in on-chain
 * batches and their resumption, reason codes in the audit log, through the API and the custos CLI.
 */
describe('officers: four eyes, bulk revocations, reason codes', () => {
  let t: TestService;
  let dapp: string;
  let alice: string; // officer
  let bob: string; // a second officer of the same tenant
  let carol: string; // a third one
  let mallory: string; // an officer of another tenant
  let registry: Contract;
  let provider: JsonRpcProvider;
  const cliEnv = (key: string) => ({
    CUSTOS_URL: t.service.url,
    CUSTOS_OFFICER_KEY: key,
    CUSTOS_DATA_DIR: t.dataDir,
  });

  before(async () => {
    t = await startTestService({ FOUR_EYES: 'revoke-address,hold-lift', APPROVAL_TTL_SECONDS: '3600' });
    dapp = await t.key('dapp');
    alice = await t.key('officer');
    bob = await t.key('officer');
    carol = await t.key('officer');
    mallory = await t.key('officer', 'other-tenant');
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

  /** A subject with approved KYC and a kyc-basic attestation (not submitted on-chain). */
  async function attested(subject = Wallet.createRandom().address) {
    const set = await t.request('PUT', `/v1/kyc/${subject}`, { key: alice, body: APPROVED_KYC });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    const attest = await t.request('POST', '/v1/attest', {
      key: dapp,
      body: { subject, policy: 'kyc-basic' },
    });
    assert.equal(attest.status, 200, JSON.stringify(attest.body));
    return { subject, uid: attest.body.uid as string };
  }

  const revokeAddress = (key: string, subject: string) =>
    t.request('POST', '/v1/revocations', {
      key,
      body: { target: subject, reasonCode: 'SANCTIONS_HIT', reason: 'listed on 2026-12-01' },
    });

  async function auditTypes(approvalId: string): Promise<string[]> {
    const rows = await t.db.$queryRaw<{ type: string }[]>`
      SELECT type FROM audit_events WHERE payload->>'approvalId' = ${approvalId} ORDER BY seq`;
    return rows.map((r) => r.type);
  }

  it('revoking an address waits for a second officer: nothing changes until then', async () => {
    const { subject, uid } = await attested();
    const requested = await revokeAddress(alice, subject);
    assert.equal(requested.status, 202, JSON.stringify(requested.body));
    const { approval } = requested.body;
    assert.equal(approval.status, 'pending');
    assert.equal(approval.action, 'revoke-address');
    assert.match(approval.summary, new RegExp(subject));

    const still = await t.request('GET', `/v1/attestations/${uid}`, { key: dapp });
    assert.equal(still.body.status, 'active');
    const again = await t.request('POST', '/v1/attest', {
      key: dapp,
      body: { subject, policy: 'kyc-basic' },
    });
    assert.equal(again.status, 200, 'not held before the approval');

    const self = await t.request('POST', `/v1/approvals/${approval.id}/approve`, { key: alice });
    assert.equal(self.status, 403);
    assert.equal(self.body.error.code, 'SELF_APPROVAL');
    const foreign = await t.request('POST', `/v1/approvals/${approval.id}/approve`, { key: mallory });
    assert.equal(foreign.status, 404, 'another tenant does not see it');
    const dappTry = await t.request('POST', `/v1/approvals/${approval.id}/approve`, { key: dapp });
    assert.equal(dappTry.status, 403);

    const approved = await t.request('POST', `/v1/approvals/${approval.id}/approve`, { key: bob });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.approval.status, 'approved');
    assert.ok((approved.body.approval.result.revoked as string[]).includes(uid));
    assert.equal(await registry.getFunction('isRevoked')(uid), true);
    const held = await t.request('POST', '/v1/attest', { key: dapp, body: { subject, policy: 'kyc-basic' } });
    assert.equal(held.status, 403);
    assert.deepEqual(
      held.body.error.details.reasons.map((r: { code: string }) => r.code),
      ['SUBJECT_HELD'],
    );

    assert.deepEqual(await auditTypes(approval.id), ['approval.requested', 'approval.approved']);
    // The revocation itself is recorded as the requester's, after the approval.
    const [revoked] = await t.db.$queryRaw<{ actor: string }[]>`
      SELECT actor FROM audit_events WHERE type = 'attestation.revoked' AND attestation_uid = ${uid}`;
    assert.equal(revoked?.actor, approval.requestedBy);

    const twice = await t.request('POST', `/v1/approvals/${approval.id}/approve`, { key: carol });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.error.code, 'APPROVAL_DECIDED');
  });

  it('two officers approving at once: the action runs once', async () => {
    const { subject } = await attested();
    const { approval } = (await revokeAddress(alice, subject)).body;
    const answers = await Promise.all(
      [bob, carol].map((key) => t.request('POST', `/v1/approvals/${approval.id}/approve`, { key })),
    );
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409]);
    assert.deepEqual(await auditTypes(approval.id), ['approval.requested', 'approval.approved']);
  });

  /** The id of API key `key`, from the admin listing (a key's prefix names its row). */
  async function keyIdOf(admin: string, key: string): Promise<string> {
    const listed = await t.request('GET', '/v1/admin/api-keys', { key: admin });
    const prefix = key.split('_')[1];
    return listed.body.apiKeys.find((k: { prefix: string }) => k.prefix === prefix).id;
  }
  const rotate = (admin: string, id: string, overlapSeconds: number) =>
    t.request('POST', `/v1/admin/api-keys/${id}/rotate`, { key: admin, body: { overlapSeconds } });
  const approve = (key: string, approvalId: string) =>
    t.request('POST', `/v1/approvals/${approvalId}/approve`, { key });

  it('a requester cannot approve with a key of its lineage: rotated from or into its key, or made by it', async () => {
    const admin = await t.key('admin');
    const { subject } = await attested();
    const { approval } = (await revokeAddress(admin, subject)).body;
    const rotated = await rotate(admin, await keyIdOf(admin, admin), 3600);
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const successor: string = rotated.body.key;
    const bySuccessor = await approve(successor, approval.id);
    assert.equal(bySuccessor.status, 403, JSON.stringify(bySuccessor.body));
    assert.equal(bySuccessor.body.error.code, 'SELF_APPROVAL');

    // Requested with the new key, approved with the old one during its overlap.
    const { approval: second } = (await revokeAddress(successor, (await attested()).subject)).body;
    assert.equal((await approve(admin, second.id)).body.error.code, 'SELF_APPROVAL');

    // A key the requester made, and a key made by that key, are the requester's too.
    const made = await t.request('POST', '/v1/admin/api-keys', {
      key: successor,
      body: { tenant: 'test-tenant', role: 'admin', label: 'sock puppet' },
    });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const grandchild = await t.request('POST', '/v1/admin/api-keys', {
      key: made.body.key,
      body: { tenant: 'test-tenant', role: 'officer', label: 'sock puppet 2' },
    });
    for (const key of [made.body.key, grandchild.body.key]) {
      assert.equal((await approve(key, approval.id)).body.error.code, 'SELF_APPROVAL');
    }
    // The other way round: requested with a key one made, approved with the key that made it.
    const { approval: byPuppet } = (await revokeAddress(grandchild.body.key, (await attested()).subject))
      .body;
    assert.equal((await approve(made.body.key, byPuppet.id)).body.error.code, 'SELF_APPROVAL');
    assert.equal((await approve(successor, byPuppet.id)).body.error.code, 'SELF_APPROVAL');
    // The key the requester's key rotated belongs to it from then on, whoever held it before.
    const bobRotated = await rotate(admin, await keyIdOf(admin, bob), 3600);
    assert.equal((await approve(bob, approval.id)).body.error.code, 'SELF_APPROVAL');
    assert.equal((await approve(bobRotated.body.key, approval.id)).body.error.code, 'SELF_APPROVAL');

    const byAnother = await approve(carol, approval.id);
    assert.equal(byAnother.status, 200, JSON.stringify(byAnother.body));
    assert.equal(byAnother.body.approval.status, 'approved');
  });

  it("an approval is refused once the requester's key lineage is revoked or expired, not after a rotation", async () => {
    const admin = await t.key('admin');
    const dave = await t.key('officer');
    const daveId = await keyIdOf(admin, dave);
    const [first, second] = await Promise.all(
      [0, 1].map(async () => (await revokeAddress(dave, (await attested()).subject)).body.approval),
    );
    const rotated = await rotate(admin, daveId, 0);
    assert.equal(rotated.status, 200);
    const afterRotation = await approve(carol, first.id);
    assert.equal(afterRotation.status, 200, 'the rotated key lives on in its successor');

    const revoked = await t.request('POST', `/v1/admin/api-keys/${rotated.body.apiKey.id}/revoke`, {
      key: admin,
    });
    assert.equal(revoked.status, 200);
    const refused = await approve(carol, second.id);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'REQUESTER_REVOKED');
    const still = await t.request('GET', '/v1/approvals?status=pending', { key: carol });
    assert.ok(
      still.body.approvals.some((a: { id: string }) => a.id === second.id),
      'nothing was run',
    );
  });

  it('a rejection is final and audited with its reason; an expired request cannot be approved', async () => {
    const { subject, uid } = await attested();
    const { approval } = (await revokeAddress(alice, subject)).body;
    const noReason = await t.request('POST', `/v1/approvals/${approval.id}/reject`, { key: bob, body: {} });
    assert.equal(noReason.status, 400);
    const rejected = await t.request('POST', `/v1/approvals/${approval.id}/reject`, {
      key: bob,
      body: { reason: 'wrong address' },
    });
    assert.equal(rejected.status, 200);
    assert.equal(rejected.body.approval.status, 'rejected');
    assert.equal(rejected.body.approval.decisionReason, 'wrong address');
    const late = await t.request('POST', `/v1/approvals/${approval.id}/approve`, { key: carol });
    assert.equal(late.body.error.code, 'APPROVAL_DECIDED');
    assert.equal((await t.request('GET', `/v1/attestations/${uid}`, { key: dapp })).body.status, 'active');
    assert.deepEqual(await auditTypes(approval.id), ['approval.requested', 'approval.rejected']);

    const expiring = (await revokeAddress(alice, subject)).body.approval;
    await t.db.approval.update({
      where: { id: expiring.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const expired = await t.request('POST', `/v1/approvals/${expiring.id}/approve`, { key: bob });
    assert.equal(expired.status, 409);
    assert.equal(expired.body.error.code, 'APPROVAL_DECIDED');
    const listed = await t.request('GET', '/v1/approvals?status=expired', { key: bob });
    assert.ok(listed.body.approvals.some((a: { id: string }) => a.id === expiring.id));
  });

  it('an approved action refused when carried out is audited and closed; a claim abandoned by a crash can be approved', async () => {
    // Two requests for one address: once the first is carried out, the second has nothing left to do.
    const { subject: twice } = await attested();
    const first = (await revokeAddress(alice, twice)).body.approval;
    const { approval } = (await revokeAddress(alice, twice)).body;
    assert.equal((await t.request('POST', `/v1/approvals/${first.id}/approve`, { key: bob })).status, 200);
    const failed = await t.request('POST', `/v1/approvals/${approval.id}/approve`, { key: bob });
    assert.equal(failed.status, 409, 'the action’s own answer');
    assert.equal(failed.body.error.code, 'ALREADY_REVOKED');
    // A refusal (4xx) is final: approving it again could only act on a later state. An outage (5xx) waits again.
    const closed = (
      await t.request('GET', '/v1/approvals?status=rejected', { key: bob })
    ).body.approvals.find((a: { id: string }) => a.id === approval.id);
    assert.equal(closed?.status, 'rejected');
    assert.match(closed?.decisionReason ?? '', /ALREADY_REVOKED/);
    assert.deepEqual(await auditTypes(approval.id), [
      'approval.requested',
      'approval.approved',
      'approval.failed',
    ]);

    const { subject } = await attested();
    const crashed = (await revokeAddress(alice, subject)).body.approval;
    await t.db.approval.update({
      where: { id: crashed.id },
      data: { status: 'executing', decidedBy: 'api-key:gone', decidedAt: new Date(Date.now() - 3_600_000) },
    });
    const retried = await t.request('POST', `/v1/approvals/${crashed.id}/approve`, { key: bob });
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.equal(retried.body.approval.status, 'approved');
  });

  it('approvals through the CLI: a second officer lists and approves a hold lift', async () => {
    const { subject } = await attested();
    const nothingToLift = await t.request('POST', `/v1/holds/${subject}/lift`, {
      key: alice,
      body: { reasonCode: 'OTHER', reason: 'asked before any hold' },
    });
    assert.equal(nothingToLift.status, 404, 'refused at once: an approval must not wait for a later hold');
    assert.equal(nothingToLift.body.error.code, 'NOT_FOUND');
    const revoking = (await revokeAddress(alice, subject)).body.approval;
    assert.equal((await t.request('POST', `/v1/approvals/${revoking.id}/approve`, { key: bob })).status, 200);

    const lift = await custos(
      ['holds', 'lift', subject, '--reason-code', 'OTHER', '--reason', 'cleared by review'],
      cliEnv(alice),
    );
    assert.equal(lift.code, 0, lift.stderr);
    const id = /approval ([0-9a-f-]{36})/.exec(lift.stdout)?.[1];
    assert.ok(id, lift.stdout);

    const list = await custos(['approvals', 'list', '--json'], cliEnv(bob));
    assert.equal(list.code, 0, list.stderr);
    assert.ok(JSON.parse(list.stdout).approvals.some((a: { id: string }) => a.id === id));

    const self = await custos(['approvals', 'approve', id], cliEnv(alice));
    assert.notEqual(self.code, 0);
    assert.match(self.stderr, /SELF_APPROVAL/);
    const approved = await custos(['approvals', 'approve', id, '--json'], cliEnv(bob));
    assert.equal(approved.code, 0, approved.stderr);
    assert.equal(JSON.parse(approved.stdout).approval.status, 'approved');
    const holds = await t.request('GET', `/v1/holds?subject=${subject}`, { key: bob });
    assert.equal(holds.body.holds.length, 0, 'lifted');
  });

  it('custos revoke --file revokes in on-chain batches, counts what it found, and is filterable by reason code', async () => {
    const subjects = await Promise.all(Array.from({ length: 130 }, () => attested()));
    const unknown = `0x${'ab'.repeat(32)}`;
    const unlisted = await attested();
    const file = path.join(t.dataDir, 'to-revoke.csv');
    writeFileSync(
      file,
      [
        '# uids to revoke, from the fraud review',
        ...subjects.map((s) => `${s.uid},fraud ring`),
        unknown,
        subjects[0]!.uid.toUpperCase().replace('0X', '0x'),
        '',
      ].join('\n'),
    );

    const result = await custos(
      ['revoke', '--file', file, '--reason-code', 'FRAUD', '--reason', 'fraud ring 2026-12', '--json'],
      cliEnv(alice),
    );
    assert.equal(result.code, 0, result.stderr);
    const { bulk } = JSON.parse(result.stdout);
    assert.equal(bulk.status, 'done');
    assert.equal(bulk.total, 131, 'duplicates counted once');
    assert.deepEqual([bulk.revoked, bulk.already, bulk.notFound], [130, 0, 1]);
    assert.equal(bulk.transactions.length, 2, '130 in batches of 100');
    for (const { uid } of [subjects[0]!, subjects[129]!]) {
      assert.equal(await registry.getFunction('isRevoked')(uid), true);
    }
    assert.equal(await registry.getFunction('isRevoked')(unlisted.uid), false, 'only what the file named');

    const events = await t.request(
      'GET',
      '/v1/audit/events?type=attestation.revoked&reasonCode=FRAUD&limit=500',
      {
        key: await t.key('regulator'),
      },
    );
    assert.equal(events.status, 200, JSON.stringify(events.body));
    assert.equal(events.body.events.length, 130);
    const badCode = await t.request('GET', '/v1/audit/events?reasonCode=BECAUSE', { key: alice });
    assert.equal(badCode.status, 400);

    const fromMallory = await t.request('GET', `/v1/revocations/bulk/${bulk.id}`, { key: mallory });
    assert.equal(fromMallory.status, 404, 'another tenant does not see the job');
    const empty = path.join(t.dataDir, 'empty.txt');
    writeFileSync(empty, '# nothing\n');
    const nothing = await custos(['revoke', '--file', empty, '--reason', 'none'], cliEnv(alice));
    assert.notEqual(nothing.code, 0);
    assert.match(nothing.stderr, /names no uid or address/);
  });

  it('a bulk revocation a crash stopped halfway is carried on by the resume job', async () => {
    const subjects = await Promise.all(Array.from({ length: 3 }, () => attested()));
    const tenant = await t.db.tenant.findUniqueOrThrow({ where: { name: 'test-tenant' } });
    // As a process that died after storing the job and one batch of progress would leave it.
    const job = await t.db.bulkRevocation.create({
      data: {
        targets: subjects.map((s) => s.uid),
        reasonCode: 'SANCTIONS_HIT',
        reason: 'interrupted',
        actor: 'api-key:crashed',
        scope: [tenant.id],
        tenantId: tenant.id,
        processed: 1,
        revoked: 1,
      },
    });
    let done: { processed: number; revoked: number } | undefined;
    await eventually(
      'the resume job finished it',
      async () => {
        const { body } = await t.request('GET', `/v1/revocations/bulk/${job.id}`, { key: alice });
        if (body.bulk.status === 'done') done = body.bulk;
        return done !== undefined;
      },
      40_000,
    );
    assert.deepEqual([done!.processed, done!.revoked], [3, 3]);
    assert.equal(
      await registry.getFunction('isRevoked')(subjects[0]!.uid),
      false,
      'the first batch was already done',
    );
    assert.equal(await registry.getFunction('isRevoked')(subjects[2]!.uid), true);
  });
});
