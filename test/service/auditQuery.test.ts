import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Wallet } from 'ethers';
import { ensureTenant } from '../../src/auth/index.js';
import { custos } from '../helpers/cli.js';
import { APPROVED_KYC } from '../helpers/fixtures.js';
import { startTestService, type TestService } from '../helpers/service.js';

interface Event {
  seq: string;
  type: string;
  subject: string | null;
  attestationUid: string | null;
  actor: string;
}

describe('audit query API and export', () => {
  let t: TestService;
  let dapp: string;
  let officer: string;
  let regulator: string;
  const alice = Wallet.createRandom().address;
  const bob = Wallet.createRandom().address;
  let aliceUid: string;

  before(async () => {
    t = await startTestService();
    [dapp, officer, regulator] = await Promise.all([t.key('dapp'), t.key('officer'), t.key('regulator')]);
    for (const subject of [alice, bob])
      await t.request('PUT', `/v1/kyc/${subject}`, { key: officer, body: APPROVED_KYC });
    for (let i = 0; i < 3; i++) {
      const { body } = await t.request('POST', '/v1/attest', {
        key: dapp,
        body: { subject: alice, policy: 'kyc-basic' },
      });
      aliceUid = body.uid;
    }
    await t.request('POST', '/v1/attest', {
      key: dapp,
      body: { subject: bob, policy: 'accredited-investor' },
    }); // fails
  });
  after(async () => {
    await t?.stop();
  });

  const query = (params: string, key = regulator) => t.request('GET', `/v1/audit/events?${params}`, { key });

  it("finds a subject's whole history, in chain order", async () => {
    const { status, body } = await query(`subject=${alice}`);
    assert.equal(status, 200);
    assert.deepEqual(
      body.events.map((e: Event) => e.type),
      ['kyc.updated', 'attestation.issued', 'attestation.issued', 'attestation.issued'],
    );
    assert.ok(body.events.every((e: Event) => e.subject === alice));
    const seqs = body.events.map((e: Event) => Number(e.seq));
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    assert.equal(body.nextCursor, null);
  });

  it('filters by type and by attestation uid', async () => {
    const failed = (await query('type=screening.failed')).body.events;
    assert.deepEqual(
      failed.map((e: Event) => e.subject),
      [bob],
    );
    const forUid = (await query(`attestationUid=${aliceUid}`)).body.events;
    assert.deepEqual(
      forUid.map((e: Event) => e.attestationUid),
      [aliceUid],
    );
  });

  it('pages with a cursor: every event exactly once, in order', async () => {
    const all = (await query('limit=1000')).body.events.map((e: Event) => e.seq);
    const paged: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { body: { events: Event[]; nextCursor: string | null } } = await query(
        `limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      paged.push(...page.body.events.map((e) => e.seq));
      cursor = page.body.nextCursor;
    }
    // Each page read is itself audited, so later pages may see more events than the first listing: a superset, in order.
    assert.deepEqual(paged.slice(0, all.length), all);
  });

  it('filters by time range', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    assert.deepEqual((await query(`from=${future}`)).body.events, []);
    assert.ok((await query(`to=${future}&subject=${alice}`)).body.events.length === 4);
  });

  it('a time range inside the log returns exactly its events, page after page', async () => {
    const all = (await query('limit=1000', officer)).body.events as (Event & { createdAt: string })[];
    const [from, to] = [all[2]!.createdAt, all[all.length - 2]!.createdAt];
    const expected = all.filter((e) => e.createdAt >= from && e.createdAt < to).map((e) => e.seq);
    assert.ok(expected.length >= 2, 'a window with several events');
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { events: Event[]; nextCursor: string | null } = (
        await query(`from=${from}&to=${to}&limit=1${cursor ? `&cursor=${cursor}` : ''}`, officer)
      ).body;
      paged.push(...page.events.map((e) => e.seq));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(paged, expected);
  });

  const bad: [string, string][] = [
    ['subject=0x123', 'subject'],
    ['limit=0', 'limit'],
    ['limit=5000', 'limit'],
    ['cursor=abc', 'cursor'],
    ['from=yesterday', 'from'],
    ['from=2026-11-22T00:00:00Z&to=2026-11-21T00:00:00Z', 'from'],
    ['type=DROP TABLE', 'type'],
    ['colour=blue', '(body)'],
  ];
  for (const [params, field] of bad) {
    it(`400 for ${params}`, async () => {
      const response = await query(params);
      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'VALIDATION_FAILED');
      assert.equal(response.body.error.details.issues[0].field, field);
    });
  }

  it('reading is for regulators and officers, and every read is attributed in the log', async () => {
    assert.equal((await query('limit=1', dapp)).status, 403);
    const before = await t.db.auditEvent.count({ where: { type: 'audit.read' } });
    await query(`subject=${bob}`);
    const read = await t.db.auditEvent.findFirst({ where: { type: 'audit.read' }, orderBy: { seq: 'desc' } });
    assert.equal(await t.db.auditEvent.count({ where: { type: 'audit.read' } }), before + 1);
    assert.match(read!.actor, /^api-key:/);
    assert.deepEqual((read!.payload as { filters: unknown }).filters, { subject: bob });
  });

  it('a regulator key reads audit data and nothing it could change', async () => {
    assert.equal(
      (
        await t.request('POST', '/v1/revocations', {
          key: regulator,
          body: { target: aliceUid, reason: 'not mine' },
        })
      ).status,
      403,
    );
    assert.equal(
      (await t.request('PUT', `/v1/kyc/${bob}`, { key: regulator, body: APPROVED_KYC })).status,
      403,
    );
    assert.equal((await t.request('POST', '/v1/keys/rotate', { key: regulator, body: {} })).status, 403);
  });

  it("a regulator of another tenant sees service-wide facts but not this tenant's events; asking is 403 and audited", async () => {
    const outsider = await t.key('regulator', 'other-tenant');
    const tenantId = await ensureTenant(t.db, 'test-tenant');
    const history = await query(`subject=${alice}`, outsider);
    assert.deepEqual(
      history.body.events.map((e: Event) => e.type),
      ['kyc.updated'],
    );
    const issued = await t.db.auditEvent.findFirst({ where: { type: 'attestation.issued' } });
    const refusals = [
      await query(`tenantId=${tenantId}`, outsider),
      await t.request('GET', `/v1/audit/events/${issued!.seq}`, { key: outsider }),
      await t.request('GET', `/v1/audit/export?tenantId=${tenantId}`, { key: outsider }),
    ];
    for (const refused of refusals) {
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'FORBIDDEN');
    }
    const denied = await t.db.auditEvent.findMany({
      where: { type: 'audit.denied' },
      orderBy: { seq: 'asc' },
    });
    assert.deepEqual(
      denied.map((e) => (e.payload as { action: string }).action),
      ['query', 'read', 'export'],
    );
    assert.ok(denied.every((e) => e.actor === denied[0]!.actor && e.actor.startsWith('api-key:')));
    // Readers of this tenant never see who else looked, or what they asked.
    const reads = await query('type=audit.denied', regulator);
    assert.deepEqual(reads.body.events, []);
    const admin = await t.key('admin', 'other-tenant');
    assert.equal((await query('type=audit.denied', admin)).body.events.length, 3);
    assert.equal((await query(`tenantId=${tenantId}&limit=1`, admin)).status, 200);
  });

  it('GET /v1/audit/events/:seq returns one event with its hashes, 404 for none', async () => {
    const { body } = await t.request('GET', '/v1/audit/events/1', { key: regulator });
    assert.equal(body.seq, '1');
    assert.match(body.hash, /^[0-9a-f]{64}$/);
    assert.equal(body.prevHash, '0'.repeat(64));
    assert.equal((await t.request('GET', '/v1/audit/events/999999', { key: regulator })).status, 404);
  });

  it('custos audit export streams JSON Lines and CSV that match the query API', async () => {
    const env = { CUSTOS_URL: t.service.url, CUSTOS_OFFICER_KEY: regulator, CUSTOS_DATA_DIR: t.dataDir };
    const jsonl = await custos(['audit', 'export', '--subject', alice], env);
    assert.equal(jsonl.code, 0, jsonl.stderr);
    const exported = jsonl.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(exported, (await query(`subject=${alice}`)).body.events);

    const csv = await custos(['audit', 'export', '--format', 'csv', '--subject', alice], env);
    const lines = csv.stdout.trim().split('\n');
    assert.equal(
      lines[0],
      'seq,type,actor,tenantId,subject,attestationUid,createdAt,payload,hashVersion,prevHash,hash',
    );
    assert.equal(lines.length, 1 + exported.length);
    assert.match(
      lines[2]!,
      /^\d+,attestation\.issued,api-key:[^,]+,[0-9a-f-]{36},0x[0-9a-fA-F]{40},0x[0-9a-f]{64},[^,]+,"\{""/,
    );

    const badRange = await custos(['audit', 'export', '--from', 'yesterday'], env);
    assert.equal(badRange.code, 1);
    assert.match(badRange.stderr, /^custos: VALIDATION_FAILED: from: must be an ISO 8601 date-time/);
  });
});
