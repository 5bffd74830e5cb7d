import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Wallet } from 'ethers';
import { signWebhook } from '../../src/screening/index.js';
import { APPROVED_KYC as approved } from '../helpers/fixtures.js';
import { startTestService, type TestService } from '../helpers/service.js';

const SECRET = 'whsec_test_0123456789abcdef0123456789abcdef';
const now = () => Math.floor(Date.now() / 1000);

describe('KYC decisions: officers and provider webhooks', () => {
  let t: TestService;
  let dapp: string;
  let officer: string;

  before(async () => {
    t = await startTestService({
      KYC_WEBHOOK_SECRET: SECRET,
      KYC_WEBHOOK_RATE_LIMIT_PER_MINUTE: '120',
      KYC_WEBHOOK_REFUSALS_AUDIT_SECONDS: '1',
    });
    [dapp, officer] = await Promise.all([t.key('dapp'), t.key('officer')]);
  });
  after(async () => {
    await t?.stop();
  });

  const attest = (subject: string) =>
    t.request('POST', '/v1/attest', { key: dapp, body: { subject, policy: 'kyc-basic' } });
  const deliver = (raw: string, timestamp: number, options: { secret?: string; source?: string } = {}) =>
    t.request('POST', '/v1/kyc/webhook', {
      raw,
      headers: {
        'x-custos-timestamp': String(timestamp),
        'x-custos-signature': signWebhook(options.secret ?? SECRET, timestamp, raw),
      },
    });
  const webhook = (body: object, timestamp = now()) => deliver(JSON.stringify(body), timestamp);
  const record = (subject: string) => t.db.kycRecord.findUnique({ where: { subject } });
  const events = (subject: string, type: string) =>
    t.db.auditEvent.findMany({ where: { subject, type }, orderBy: { seq: 'asc' } });

  it("an officer's rejection after a future-dated provider approval is stored, audited and enforced", async () => {
    const subject = Wallet.createRandom().address;
    // The reported attack: a delivery signed 299 s ahead, inside the old tolerance, is now refused outright.
    const farAhead = await webhook({ subject, ...approved }, now() + 299);
    assert.equal(farAhead.status, 401);
    assert.equal(farAhead.body.error.details.reason, 'WEBHOOK_FROM_FUTURE');
    // Inside the small skew it is applied...
    assert.equal(
      (await webhook({ subject, ...approved, reference: 'case-1' }, now() + 20)).body.applied,
      true,
    );
    assert.equal((await attest(subject)).status, 200);
    // ...and the officer's later rejection still wins: stored, audited, enforced.
    const rejected = await t.request('PUT', `/v1/kyc/${subject}`, {
      key: officer,
      body: { ...approved, status: 'rejected', provider: 'manual' },
    });
    assert.deepEqual(rejected.body, { subject, applied: true });
    assert.equal((await record(subject))?.status, 'rejected');
    assert.equal((await record(subject))?.decidedBy, 'officer');
    const updates = await events(subject, 'kyc.updated');
    assert.deepEqual(
      updates.map((e) => (e.payload as { decidedBy: string }).decidedBy),
      ['provider', 'officer'],
    );
    const refused = await attest(subject);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.details.reasons[0].code, 'KYC_STATUS');
  });

  it('a provider event older than the manual decision is ignored and audited as such; a newer one applies', async () => {
    const subject = Wallet.createRandom().address;
    await t.request('PUT', `/v1/kyc/${subject}`, {
      key: officer,
      body: { ...approved, status: 'rejected', provider: 'manual' },
    });
    const older = await webhook({ subject, ...approved }, now() - 30);
    assert.deepEqual(older.body, { subject, applied: false, reason: 'older-than-officer-decision' });
    assert.equal((await record(subject))?.status, 'rejected');
    const [ignored] = await events(subject, 'kyc.webhook_ignored');
    assert.equal((ignored!.payload as { reason: string }).reason, 'older-than-officer-decision');
    // The provider re-screens later: its newer decision replaces the officer's.
    assert.equal((await webhook({ subject, ...approved }, now() + 2)).body.applied, true);
    assert.equal((await record(subject))?.status, 'approved');
  });

  it('an older provider event cannot roll back a newer one', async () => {
    const subject = Wallet.createRandom().address;
    const t0 = now();
    assert.equal((await webhook({ subject, ...approved, status: 'rejected' }, t0)).body.applied, true);
    const older = await webhook({ subject, ...approved }, t0 - 60);
    assert.deepEqual(older.body, { subject, applied: false, reason: 'older-than-current-event' });
    assert.equal((await record(subject))?.status, 'rejected');
  });

  it('an exact replay is refused with 409 and changes nothing; same-second events apply in arrival order', async () => {
    const subject = Wallet.createRandom().address;
    const t0 = now();
    const approvedRaw = JSON.stringify({ subject, ...approved });
    const rejectedRaw = JSON.stringify({ subject, ...approved, status: 'rejected' });
    assert.equal((await deliver(approvedRaw, t0)).body.applied, true);
    const replay = await deliver(approvedRaw, t0);
    assert.equal(replay.status, 409);
    assert.equal(replay.body.error.code, 'WEBHOOK_REPLAYED');
    // A different event signed in the same second comes after it...
    assert.equal((await deliver(rejectedRaw, t0)).body.applied, true);
    // ...and replaying the first one cannot flip the status back.
    assert.equal((await deliver(approvedRaw, t0)).status, 409);
    assert.equal((await record(subject))?.status, 'rejected');
    assert.equal((await events(subject, 'kyc.updated')).length, 2);
  });

  it('concurrent replays of one delivery: exactly one applies', async () => {
    const subject = Wallet.createRandom().address;
    const raw = JSON.stringify({ subject, ...approved });
    const t0 = now();
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(raw, t0)));
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, ...Array(9).fill(409)]);
    assert.equal((await events(subject, 'kyc.updated')).length, 1);
  });

  it('refused deliveries grow no audit row each: counted in metrics, throttled per source, audited in aggregate', async () => {
    const subject = Wallet.createRandom().address;
    const before = await t.db.auditEvent.count();
    const forged = await Promise.all(
      Array.from({ length: 50 }, () =>
        deliver(JSON.stringify({ subject, ...approved }), now(), {
          secret: 'whsec_attacker_0123456789abcdef01234567',
        }),
      ),
    );
    assert.ok(
      forged.every((r) => r.status === 401 && r.body.error.details.reason === 'WEBHOOK_SIGNATURE_INVALID'),
    );
    const unsigned = await t.request('POST', '/v1/kyc/webhook', { body: { subject, ...approved } });
    assert.equal(unsigned.body.error.details.reason, 'WEBHOOK_TIMESTAMP_MISSING');
    assert.equal(await t.db.kycRecord.count({ where: { subject } }), 0);
    const metrics = String((await t.request('GET', '/metrics')).body);
    assert.match(metrics, /custos_webhook_refusals_total\{reason="WEBHOOK_SIGNATURE_INVALID"\} 50/);

    // The per-source limit (120/minute here) turns a flood into 429s before any signature is checked.
    const flood = await Promise.all(Array.from({ length: 120 }, () => webhook({ subject, ...approved }, 1)));
    const limited = flood.filter((r) => r.status === 429).length;
    assert.ok(limited > 0, 'some deliveries were throttled');
    assert.ok(flood.every((r) => r.status === 401 || r.status === 429));

    // One aggregated event per interval, not one per refusal (polled until the last interval is written).
    const expected = {
      WEBHOOK_SIGNATURE_INVALID: 50,
      WEBHOOK_TIMESTAMP_MISSING: 1,
      WEBHOOK_STALE: 120 - limited,
    };
    let totals: Record<string, number> = {};
    for (let i = 0; i < 100 && JSON.stringify(totals) !== JSON.stringify(expected); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      totals = {};
      for (const event of await t.db.auditEvent.findMany({ where: { type: 'kyc.webhook_refusals' } })) {
        for (const [reason, count] of Object.entries(
          (event.payload as { counts: Record<string, number> }).counts,
        )) {
          totals[reason] = (totals[reason] ?? 0) + count;
        }
      }
      totals = Object.fromEntries(Object.keys(expected).map((reason) => [reason, totals[reason] ?? 0]));
    }
    assert.deepEqual(totals, expected);
    const added = (await t.db.auditEvent.count()) - before;
    assert.ok(added <= 3, `${added} audit rows for ${50 + 1 + 120} refused deliveries`);
    console.log(`# ${50 + 1 + 120} refused deliveries (${limited} throttled) → ${added} audit row(s)`);
  });

  it('KYC input grammar: calendar dates, ISO codes with the right one named, duplicate keys refused', async () => {
    const subject = Wallet.createRandom().address;
    const put = (body: object | string) =>
      t.request('PUT', `/v1/kyc/${subject}`, {
        key: officer,
        ...(typeof body === 'string' ? { raw: body } : { body }),
      });
    const cases: [object, RegExp][] = [
      [{ ...approved, country: 'UK' }, /^country: UK is not an ISO 3166-1 alpha-2 code: ISO 3166-1 says GB/],
      [{ ...approved, country: 'de' }, /^country: must be upper-case: DE/],
      [{ ...approved, country: 'XX' }, /^country: must be an ISO 3166-1 alpha-2 country code/],
      [{ ...approved, birthDate: '2024-02-30' }, /^birthDate: is not a calendar date/],
      [{ ...approved, birthDate: '0001-01-01' }, /^birthDate: must be 1900-01-01 or later/],
      [{ ...approved, birthDate: '0000-01-01' }, /^birthDate: /],
      [{ ...approved, birthDate: '2999-01-01' }, /^birthDate: is in the future/],
      [{ ...approved, reference: 'case\u0000one' }, /^reference: must not contain control characters/],
      [{ ...approved, reference: 'case\ud800' }, /^reference: must be valid Unicode/],
      [{ ...approved, provider: 'has space' }, /^provider: /],
    ];
    for (const [body, message] of cases) {
      const response = await put(body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match(response.body.error.message, message);
    }
    const duplicate = await put(`{"status":"rejected","status":"approved","provider":"manual"}`);
    assert.equal(duplicate.status, 400);
    assert.equal(duplicate.body.error.code, 'MALFORMED_JSON');
    assert.match(duplicate.body.error.message, /"status" twice/);
    for (const bad of [subject.slice(2), 'XE7338O073KYGTWWZN0F2WZ0R8PX5ZPPZS']) {
      const response = await t.request('PUT', `/v1/kyc/${bad}`, { key: officer, body: approved });
      assert.equal(response.status, 400, bad);
    }
    assert.equal(await t.db.kycRecord.count({ where: { subject } }), 0);
  });
});
