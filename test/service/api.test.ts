import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Wallet, verifyTypedData } from 'ethers';
import { verifyTypedData as viemVerifyTypedData } from 'viem';
import { verifyAuditChain } from '../../src/audit/index.js';
import { APPROVED_KYC as approved } from '../helpers/fixtures.js';
import { startTestService, type TestService } from '../helpers/service.js';

describe('HTTP API', () => {
  let t: TestService;
  let dapp: string;
  let officer: string;
  let regulator: string;

  before(async () => {
    t = await startTestService();
    [dapp, officer, regulator] = await Promise.all([t.key('dapp'), t.key('officer'), t.key('regulator')]);
  });
  after(async () => {
    await t?.stop();
  });

  const compliantSubject = async () => {
    const subject = Wallet.createRandom().address;
    const set = await t.request('PUT', `/v1/kyc/${subject}`, { key: officer, body: approved });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    return subject;
  };
  const counts = async () => ({
    audit: await t.db.auditEvent.count(),
    attestations: await t.db.attestation.count(),
  });

  describe('public endpoints', () => {
    it('answers health, readiness, metrics, the OpenAPI document and its docs page', async () => {
      assert.deepEqual((await t.request('GET', '/healthz')).body, { status: 'ok' });
      const ready = await t.request('GET', '/readyz');
      assert.equal(ready.status, 200);
      assert.deepEqual([ready.body.checks.database, ready.body.checks.chain], ['ok', 'ok']);
      assert.match((await t.request('GET', '/metrics')).body, /custos_http_request_duration_seconds/);
      const openapi = await t.request('GET', '/openapi.json');
      assert.equal(openapi.body.openapi, '3.1.0');
      assert.ok(openapi.body.paths['/v1/attest'].post);
      const docs = await t.request('GET', '/docs');
      assert.match(docs.body, /<h1>Custos API<\/h1>/);
      assert.match(docs.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    });

    it('lists the active signer with the chain, gatekeeper and EIP-712 domain', async () => {
      const { body } = await t.request('GET', '/v1/signers');
      assert.equal(body.chainId, 31337);
      assert.equal(body.domain.verifyingContract, body.gatekeeper);
      assert.equal(body.signers.length, 1);
      assert.equal(body.signers[0].status, 'active');
      assert.ok(body.policies.some((p: { name: string }) => p.name === 'kyc-basic'));
    });
  });

  describe('authentication and roles', () => {
    const body = { subject: Wallet.createRandom().address, policy: 'kyc-basic' };

    it('401 without a key, with a malformed key and with an unknown key', async () => {
      for (const key of [undefined, 'nope', `cst_000000000000_${'A'.repeat(43)}`]) {
        const response = await t.request('POST', '/v1/attest', { key, body });
        assert.equal(response.status, 401);
        assert.equal(response.body.error.code, 'UNAUTHENTICATED');
        assert.ok(response.body.requestId);
      }
    });

    it('403 when the role does not fit the endpoint', async () => {
      assert.equal(
        (await t.request('POST', '/v1/attest', { key: regulator, body })).body.error.code,
        'FORBIDDEN',
      );
      assert.equal(
        (
          await t.request('POST', '/v1/revocations', {
            key: dapp,
            body: { target: body.subject, reason: 'x'.repeat(5) },
          })
        ).status,
        403,
      );
      assert.equal((await t.request('GET', '/v1/keys', { key: dapp })).status, 403);
      assert.equal(
        (await t.request('PUT', `/v1/kyc/${body.subject}`, { key: dapp, body: approved })).status,
        403,
      );
    });

    it('429 with Retry-After once a key exceeds its rate', async () => {
      const limited = await t.key('dapp', 'test-tenant', 3);
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push(
          (await t.request('GET', '/v1/attestations?subject=' + body.subject, { key: limited })).status,
        );
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      const last = await t.request('GET', '/v1/attestations?subject=' + body.subject, { key: limited });
      assert.equal(last.body.error.code, 'RATE_LIMITED');
      assert.ok(Number(last.headers.get('retry-after')) >= 1);
    });
  });

  describe('bad input: 4xx with a code, nothing written', () => {
    const cases: [
      string,
      { raw?: string; body?: unknown; headers?: Record<string, string> },
      number,
      string,
    ][] = [
      ['malformed JSON', { raw: '{"subject":' }, 400, 'MALFORMED_JSON'],
      ['a body that is not an object', { raw: '"kyc-basic"' }, 400, 'MALFORMED_JSON'],
      ['a wrong type', { body: { subject: 42, policy: 'kyc-basic' } }, 400, 'VALIDATION_FAILED'],
      [
        'a bad checksum',
        { body: { subject: '0x52908400098527886E0F7030069857D2E4169Ee7', policy: 'kyc-basic' } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'the zero address',
        { body: { subject: `0x${'0'.repeat(40)}`, policy: 'kyc-basic' } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an unknown policy',
        { body: { subject: '0x52908400098527886E0F7030069857D2E4169EE7'.toLowerCase(), policy: 'nope' } },
        400,
        'UNKNOWN_POLICY',
      ],
      [
        "an unknown field (expiry is not the caller's)",
        { body: { subject: Wallet.createRandom().address, policy: 'kyc-basic', expiresAt: 9e9 } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'another chain',
        { body: { subject: Wallet.createRandom().address, policy: 'kyc-basic', chainId: 1 } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an oversized body',
        {
          raw: JSON.stringify({
            subject: Wallet.createRandom().address,
            policy: 'kyc-basic',
            pad: 'x'.repeat(20_000),
          }),
        },
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      [
        'a form instead of JSON',
        { raw: 'subject=0x1', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
    ];
    for (const [name, input, status, code] of cases) {
      it(`${name}: ${status} ${code}`, async () => {
        const before = await counts();
        const response = await t.request('POST', '/v1/attest', { key: dapp, ...input });
        assert.equal(response.status, status, JSON.stringify(response.body));
        assert.equal(response.body.error.code, code);
        assert.equal(typeof response.body.error.message, 'string');
        assert.deepEqual(await counts(), before);
      });
    }

    it('unknown routes are 404 in the same shape', async () => {
      const response = await t.request('GET', '/v1/nothing');
      assert.equal(response.status, 404);
      assert.equal(response.body.error.code, 'NOT_FOUND');
    });
  });

  describe('issuance', () => {
    it('issues an attestation ethers verifies, recorded and audited before the response', async () => {
      const subject = await compliantSubject();
      const before = await counts();
      const response = await t.request('POST', '/v1/attest', {
        key: dapp,
        body: { subject, policy: 'kyc-basic' },
      });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const a = response.body;
      assert.equal(a.format, 'eip712');
      assert.equal(a.subject, subject);
      assert.deepEqual(Object.keys(a.message), ['uid', 'subject', 'policyId', 'issuedAt', 'expiresAt']);
      assert.equal(verifyTypedData(a.domain, a.types, a.message, a.signature), a.signer);
      const viemVerified = await viemVerifyTypedData({
        address: a.signer,
        domain: a.domain,
        types: a.types,
        primaryType: 'Attestation',
        message: {
          ...a.message,
          issuedAt: BigInt(a.message.issuedAt),
          expiresAt: BigInt(a.message.expiresAt),
        },
        signature: a.signature,
      });
      assert.equal(viemVerified, true, "viem's verifyTypedData accepts it");
      assert.equal(a.expiresAt - a.issuedAt, 86_400);

      const row = await t.db.attestation.findUnique({ where: { uid: a.uid } });
      assert.equal(row?.status, 'active');
      const event = await t.db.auditEvent.findFirst({ where: { attestationUid: a.uid } });
      assert.equal(event?.type, 'attestation.issued');
      assert.deepEqual(await counts(), { audit: before.audit + 1, attestations: before.attestations + 1 });
      assert.equal((await verifyAuditChain(t.db)).ok, true);
    });

    it('keeps the audit chain whole under 40 concurrent issuances', async () => {
      const subject = await compliantSubject();
      const responses = await Promise.all(
        Array.from({ length: 40 }, () =>
          t.request('POST', '/v1/attest', { key: dapp, body: { subject, policy: 'kyc-basic' } }),
        ),
      );
      assert.deepEqual(new Set(responses.map((r) => r.status)), new Set([200]));
      assert.equal(new Set(responses.map((r) => r.body.uid)).size, 40);
      assert.equal((await verifyAuditChain(t.db)).ok, true);
    });

    it('Idempotency-Key: a retry gets the same attestation; another request under the key is 409', async () => {
      const subject = await compliantSubject();
      const send = (key: string, body: object) =>
        t.request('POST', '/v1/attest', { key: dapp, body, headers: { 'idempotency-key': key } });
      const first = await send('order-7781', { subject, policy: 'kyc-basic' });
      const retry = await send('order-7781', { subject, policy: 'kyc-basic' });
      assert.equal(retry.status, 200);
      assert.deepEqual(retry.body, first.body);
      assert.equal(await t.db.attestation.count({ where: { subject } }), 1);

      const other = await send('order-7781', { subject: await compliantSubject(), policy: 'kyc-basic' });
      assert.equal(other.status, 409);
      assert.equal(other.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
      assert.equal((await send('bad key!', { subject, policy: 'kyc-basic' })).status, 400);
    });

    it('Idempotency-Key: 30 concurrent identical requests give one attestation and one row', async () => {
      const subject = await compliantSubject();
      const responses = await Promise.all(
        Array.from({ length: 30 }, () =>
          t.request('POST', '/v1/attest', {
            key: dapp,
            body: { subject, policy: 'kyc-basic' },
            headers: { 'idempotency-key': 'burst-1' },
          }),
        ),
      );
      assert.deepEqual(new Set(responses.map((r) => r.status)), new Set([200]));
      assert.equal(new Set(responses.map((r) => r.body.signature)).size, 1);
      assert.equal(await t.db.attestation.count({ where: { subject } }), 1);
    });

    it('Idempotency-Key: keys are per tenant', async () => {
      const subject = await compliantSubject();
      const other = await t.key('dapp', 'another-tenant');
      const mine = await t.request('POST', '/v1/attest', {
        key: dapp,
        body: { subject, policy: 'kyc-basic' },
        headers: { 'idempotency-key': 'shared' },
      });
      const theirs = await t.request('POST', '/v1/attest', {
        key: other,
        body: { subject, policy: 'kyc-basic' },
        headers: { 'idempotency-key': 'shared' },
      });
      assert.equal(theirs.status, 200);
      assert.notEqual(theirs.body.uid, mine.body.uid);
    });

    it("shows an attestation's status and audit trail; another tenant's dApp key gets 404", async () => {
      const subject = await compliantSubject();
      const { body } = await t.request('POST', '/v1/attest', {
        key: dapp,
        body: { subject, policy: 'kyc-basic' },
      });
      const mine = await t.request('GET', `/v1/attestations/${body.uid}`, { key: dapp });
      assert.equal(mine.body.status, 'active');
      assert.deepEqual(
        mine.body.audit.map((e: { type: string }) => e.type),
        ['attestation.issued'],
      );

      const stranger = await t.key('dapp', 'other-tenant');
      const theirs = await t.request('GET', `/v1/attestations/${body.uid}`, { key: stranger });
      const missing = await t.request('GET', `/v1/attestations/0x${'ab'.repeat(32)}`, { key: stranger });
      assert.equal(theirs.status, 404);
      assert.deepEqual(Object.keys(theirs.body.error), Object.keys(missing.body.error));
      assert.equal(
        (await t.request('GET', `/v1/attestations?subject=${subject}`, { key: stranger })).body.attestations
          .length,
        0,
      );
      assert.equal(
        (await t.request('GET', `/v1/attestations?subject=${subject}`, { key: regulator })).body.attestations
          .length,
        1,
      );
    });
  });
});
