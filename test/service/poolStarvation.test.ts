import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Wallet } from 'ethers';
import { createIdentity } from '@custos/sdk/holder';
import { APPROVED_KYC } from '../helpers/fixtures.js';
import { startTestService, type TestService } from '../helpers/service.js';

/**
 * Work that waits for an advisory lock and then needs more connections (publishing an issuance root) must not
 * starve the pool: with the default pool of 10, fifty concurrent credential issuances all succeed.
 */
describe('connection pool under lock contention', () => {
  let t: TestService;
  let dapp: string;

  before(async () => {
    t = await startTestService();
    dapp = await t.key('dapp');
  });
  after(async () => {
    await t?.stop();
  });

  it('fifty concurrent credential issuances with the default pool all succeed', async () => {
    const officer = await t.key('officer');
    const subjects = Array.from({ length: 50 }, () => Wallet.createRandom().address);
    for (const subject of subjects)
      await t.request('PUT', `/v1/kyc/${subject}`, { key: officer, body: APPROVED_KYC });
    const answers = await Promise.all(
      subjects.map((subject) =>
        t.request('POST', '/v1/credentials', {
          key: dapp,
          body: { subject, policy: 'kyc-basic', identityCommitment: createIdentity().commitment.toString() },
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    assert.deepEqual(
      statuses,
      Array(50).fill(200),
      JSON.stringify(answers.find((a) => a.status !== 200)?.body),
    );
    assert.equal(new Set(answers.map((a) => a.body.credentialId)).size, 50);
  });

  it('fifty concurrent revocations with the default pool: no 503', async () => {
    const officer = await t.key('officer');
    const subjects = Array.from({ length: 50 }, () => Wallet.createRandom().address);
    for (const subject of subjects)
      await t.request('PUT', `/v1/kyc/${subject}`, { key: officer, body: APPROVED_KYC });
    const uids = await Promise.all(
      subjects.map(
        async (subject) =>
          (await t.request('POST', '/v1/attest', { key: dapp, body: { subject, policy: 'kyc-basic' } })).body
            .uid,
      ),
    );
    const answers = await Promise.all(
      uids.map((target) =>
        t.request('POST', '/v1/revocations', { key: officer, body: { target, reason: 'bulk' } }),
      ),
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(50).fill(200),
    );
  });

  it('a burst of two hundred audited writes queues for connections instead of failing', async () => {
    // Each KYC decision is an interactive transaction that waits for the audit chain's head: with ten connections
    // most of the burst waits longer than Prisma's default two seconds to start (which used to be a 503).
    const officer = await t.key('officer');
    const answers = await Promise.all(
      Array.from({ length: 200 }, () =>
        t.request('PUT', `/v1/kyc/${Wallet.createRandom().address}`, { key: officer, body: APPROVED_KYC }),
      ),
    );
    const failed = answers.filter((a) => a.status !== 200);
    assert.equal(failed.length, 0, JSON.stringify(failed[0]?.body));
  });
});
