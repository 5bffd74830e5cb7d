import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Wallet } from 'ethers';
import { APPROVED_KYC as approved } from '../helpers/fixtures.js';
import { startTestService, type TestService } from '../helpers/service.js';

const SANCTIONED = '0x5ae4b1B3B6a0e24B2c4F0E2db7dE0C1BA9e8d7C6';

describe('screening through the API', () => {
  let t: TestService;
  let dapp: string;
  let officer: string;

  before(async () => {
    t = await startTestService();
    [dapp, officer] = await Promise.all([t.key('dapp'), t.key('officer')]);
  });
  after(async () => {
    await t?.stop();
  });

  const attest = (subject: string, policy = 'kyc-basic') =>
    t.request('POST', '/v1/attest', { key: dapp, body: { subject, policy } });
  it('403 SCREENING_FAILED naming the rule, and the decision is audited', async () => {
    const subject = Wallet.createRandom().address;
    await t.request('PUT', `/v1/kyc/${subject}`, { key: officer, body: { ...approved, country: 'KP' } });
    const response = await attest(subject);
    assert.equal(response.status, 403);
    assert.equal(response.body.error.code, 'SCREENING_FAILED');
    assert.deepEqual(
      response.body.error.details.reasons.map((r: { code: string }) => r.code),
      ['JURISDICTION_DENIED'],
    );
    const event = await t.db.auditEvent.findFirst({ where: { subject, type: 'screening.failed' } });
    assert.deepEqual((event?.payload as { reasons: string[] }).reasons, ['JURISDICTION_DENIED']);
    assert.ok(!JSON.stringify(event?.payload).includes('"KP"'), 'no personal data in the audit log');
    assert.equal(await t.db.attestation.count({ where: { subject } }), 0);
  });

  it('a sanctioned address gets 403 with the sanctions reason, and the decision records the list version', async () => {
    const content = readFileSync(path.join('test', 'fixtures', 'ofac', 'sdn_advanced.xml'), 'utf8');
    const loaded = await t.request('POST', '/v1/sanctions', {
      key: officer,
      body: { name: 'ofac-sdn', content },
    });
    assert.equal(loaded.status, 200, JSON.stringify(loaded.body));
    assert.equal(loaded.body.entryCount, 3);
    assert.equal(loaded.body.format, 'ofac-sdn-xml');
    await t.request('PUT', `/v1/kyc/${SANCTIONED}`, { key: officer, body: approved }); // KYC alone is not enough

    const response = await attest(SANCTIONED);
    assert.equal(response.status, 403);
    assert.deepEqual(response.body.error.details.reasons, [
      { code: 'SANCTIONED', message: 'the subject is listed on ofac-sdn' },
    ]);
    const event = await t.db.auditEvent.findFirst({
      where: { subject: SANCTIONED, type: 'screening.failed' },
      orderBy: { seq: 'desc' },
    });
    assert.deepEqual((event?.payload as { listVersions: unknown }).listVersions, [
      { name: 'ofac-sdn', contentHash: loaded.body.contentHash },
    ]);
  });

  it('a custom deny list blocks too, and loading the same version twice keeps one copy', async () => {
    const content = readFileSync(path.join('test', 'fixtures', 'deny-list.txt'), 'utf8');
    const first = await t.request('POST', '/v1/sanctions', {
      key: officer,
      body: { name: 'internal', content },
    });
    const again = await t.request('POST', '/v1/sanctions', {
      key: officer,
      body: { name: 'internal', content },
    });
    assert.deepEqual([first.body.created, again.body.created], [true, false]);
    assert.equal(await t.db.sanctionsList.count({ where: { name: 'internal' } }), 1);
    const subject = '0x3333333333333333333333333333333333333333';
    await t.request('PUT', `/v1/kyc/${subject}`, { key: officer, body: approved });
    assert.equal((await attest(subject)).body.error.details.reasons[0].code, 'SANCTIONED');
  });

  it('a list that does not parse is refused whole', async () => {
    const response = await t.request('POST', '/v1/sanctions', {
      key: officer,
      body: { name: 'broken', content: '0x3333333333333333333333333333333333333333\nnot-an-address\n' },
    });
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /line 2/);
    assert.equal(await t.db.sanctionsList.count({ where: { name: 'broken' } }), 0);
  });
});
