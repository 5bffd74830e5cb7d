import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import canonicalize from 'canonicalize';
import { Wallet } from 'ethers';
import pg from 'pg';
import { chainHash } from '../../src/audit/chain.js';
import type { JsonValue } from '../../src/audit/index.js';
import { custos } from '../helpers/cli.js';
import { APPROVED_KYC } from '../helpers/fixtures.js';
import { startTestService, type TestService } from '../helpers/service.js';

interface ExportedEvent {
  seq: string;
  type: string;
  actor: string;
  tenantId: string | null;
  subject: string | null;
  attestationUid: string | null;
  payload: JsonValue;
  createdAt: string;
  hashVersion: number;
  prevHash: string;
  hash: string;
}

/** What a regulator computes without Custos' code: SHA-256(prevHash ‖ RFC 8785 JSON), from the rule in docs/explanation/audit-design.md. */
function independentHash(e: ExportedEvent): string {
  const { prevHash, hash, seq, hashVersion, ...fields } = e;
  void hash;
  const canonical = canonicalize({ ...fields, seq, ...(hashVersion === 1 ? {} : { hashVersion }) })!;
  return createHash('sha256').update(Buffer.from(prevHash, 'hex')).update(canonical).digest('hex');
}

describe('audit integrity: regulator reads, signed checkpoints, truncation', () => {
  let t: TestService;
  let officer: string;
  let regulator: string;
  let superuser: pg.Client;
  const alice = Wallet.createRandom().address;
  const env = () => ({ CUSTOS_URL: t.service.url, CUSTOS_OFFICER_KEY: regulator });

  before(async () => {
    t = await startTestService({ AUDIT_CHECKPOINT_INTERVAL_SECONDS: '1' });
    const dapp = await t.key('dapp');
    [officer, regulator] = await Promise.all([t.key('officer'), t.key('regulator')]);
    await t.request('PUT', `/v1/kyc/${alice}`, { key: officer, body: APPROVED_KYC });
    for (let i = 0; i < 3; i++) {
      await t.request('POST', '/v1/attest', { key: dapp, body: { subject: alice, policy: 'kyc-basic' } });
    }
    superuser = new pg.Client({ connectionString: t.postgres.url });
    await superuser.connect();
  });
  after(async () => {
    await superuser?.end();
    await t?.stop();
  });

  const get = (route: string) => t.request('GET', route, { key: regulator });

  // Rows changed "behind the database's back", as an operator with owner rights could.
  async function tamper(sql: string, values: unknown[] = []): Promise<void> {
    await superuser.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    await superuser.query('ALTER TABLE audit_checkpoints DISABLE TRIGGER USER');
    try {
      await superuser.query(sql, values);
    } finally {
      await superuser.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
      await superuser.query('ALTER TABLE audit_checkpoints ENABLE TRIGGER USER');
    }
  }

  async function checkpointCovering(seq: bigint) {
    for (let attempt = 0; attempt < 100; attempt++) {
      const latest = (await get('/v1/audit/status')).body.checkpoints.latest;
      if (latest && BigInt(latest.seq) >= seq) return latest;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`no checkpoint reached event ${seq}`);
  }

  it("the regulator walk-through's reads, date ranges with offsets included, leave a log whose every exported event rehashes independently", async () => {
    const today = new Date().toISOString().slice(0, 10);
    for (const route of [
      `/v1/audit/events?subject=${alice}`,
      `/v1/audit/chain-events?subject=${alice}`,
      `/v1/audit/export?subject=${alice}&format=csv`,
      `/v1/audit/export?from=${today}T00:00:00Z&to=2099-01-01T00:00:00Z`,
      `/v1/audit/events?from=${today}T00:00:00Z`,
      `/v1/audit/events?from=2026-01-01T00:00:00%2B02:00&to=2099-12-31T23:59:59.999Z`,
      '/v1/audit/events/2',
    ]) {
      assert.equal((await get(route)).status, 200, route);
    }
    const verify = await get('/v1/audit/verify');
    assert.equal(verify.status, 200);
    assert.equal(verify.body.ok, true, JSON.stringify(verify.body.breaks));
    assert.equal(verify.body.breakCount, 0);
    const cli = await custos(['audit', 'verify'], env());
    assert.equal(cli.code, 0, cli.stderr);

    // Every exported event, the date-range reads among them, rehashes from its exported JSON alone.
    const lines = String((await get('/v1/audit/export')).body)
      .trim()
      .split('\n');
    const events = lines.map((line) => JSON.parse(line) as ExportedEvent);
    const reads = events.filter((e) => e.type === 'audit.read');
    assert.ok(
      reads.some((e) => JSON.stringify(e.payload).includes('"from"')),
      'a date-range read was exported',
    );
    for (const event of events) assert.equal(independentHash(event), event.hash, `event ${event.seq}`);
  });

  it('signs the head at its interval; GET /v1/audit/status returns the checkpoints', async () => {
    const head = await t.db.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' } });
    const checkpoint = await checkpointCovering(head.seq);
    assert.equal(checkpoint.reason, 'interval');
    assert.match(checkpoint.signature, /^0x[0-9a-f]{130}$/);
    const signers = (await t.request('GET', '/v1/signers')).body.signers.map(
      (s: { address: string }) => s.address,
    );
    assert.ok(signers.includes(checkpoint.signer));
    const verify = (await get('/v1/audit/verify')).body;
    assert.equal(verify.checkpoints.ok, true);
    assert.equal(verify.checkpoints.latest.signatureValid, true);
    assert.equal(verify.checkpoints.latest.signerTrusted, true);
    assert.ok(BigInt(verify.coverage.checkpointedThroughSeq) >= head.seq);
  });

  it('a cut tail is caught by the stored checkpoints, and by a saved one even when those are removed too', async () => {
    const head = await t.db.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' } });
    const saved = await checkpointCovering(head.seq);
    const file = path.join(t.dataDir, 'saved-checkpoint.json');
    writeFileSync(file, JSON.stringify(saved));
    assert.equal((await custos(['audit', 'verify', '--checkpoint', file], env())).code, 0);

    // An insider removes the newest events: the hash chain alone still verifies.
    const cutFrom = BigInt(saved.seq) - 2n;
    await tamper('DELETE FROM audit_events WHERE seq >= $1', [cutFrom.toString()]);
    const verify = (await get('/v1/audit/verify')).body;
    assert.equal(verify.breakCount, 0, 'the chain itself looks whole');
    assert.equal(verify.ok, false);
    assert.match(verify.checkpoints.mismatches[0].message, /gone: the log was cut/);
    const cli = await custos(['audit', 'verify'], env());
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /audit checkpoints disagree/);

    // ...and removes the checkpoints that name them: the regulator's saved checkpoint still proves the cut.
    await tamper('DELETE FROM audit_checkpoints WHERE seq >= $1', [cutFrom.toString()]);
    const withSaved = await custos(['audit', 'verify', '--checkpoint', file], env());
    assert.equal(withSaved.code, 1);
    assert.match(withSaved.stderr, /missing: the log was cut after this checkpoint was signed/);
  });

  it('an edited tail with the chain recomputed is caught by the checkpoint', async () => {
    const head = await t.db.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' } });
    const saved = await checkpointCovering(head.seq);
    const target = BigInt(saved.seq);
    const rows = await t.db.auditEvent.findMany({
      where: { seq: { gte: target - 1n } },
      orderBy: { seq: 'asc' },
    });
    // Rewrite event target-1's actor and recompute every hash from there on, as a careful insider would.
    let prevHash: Buffer = Buffer.from(rows[0]!.prevHash);
    for (const row of rows) {
      const record = {
        ...row,
        payload: row.payload as JsonValue,
        actor: row.seq === target - 1n ? 'api-key:someone-else' : row.actor,
      };
      const hash = chainHash(prevHash, record);
      await tamper('UPDATE audit_events SET actor = $2, prev_hash = $3, hash = $4 WHERE seq = $1', [
        row.seq.toString(),
        record.actor,
        prevHash,
        hash,
      ]);
      prevHash = hash;
    }
    const verify = (await get('/v1/audit/verify')).body;
    assert.equal(verify.breakCount, 0, 'the recomputed chain itself verifies');
    assert.equal(verify.ok, false);
    assert.match(
      verify.checkpoints.mismatches[0].message,
      /no longer has the hash its signed checkpoint names/,
    );
  });

  it('a forged saved checkpoint is refused: bad input is 400, a wrong signature says so', async () => {
    const latest = (await get('/v1/audit/status')).body.checkpoints.latest;
    const forged = { ...latest, head: `0x${'00'.repeat(32)}` };
    const response = await t.request('POST', '/v1/audit/checkpoints/verify', {
      key: regulator,
      body: forged,
    });
    assert.equal(response.status, 200);
    assert.equal(response.body.ok, false);
    assert.equal(response.body.signatureValid, false);
    for (const body of [
      {},
      { ...latest, seq: '0' },
      { ...latest, extra: 1 },
      { ...latest, signature: '0x12' },
    ]) {
      const bad = await t.request('POST', '/v1/audit/checkpoints/verify', { key: regulator, body });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
    }
    const unauthenticated = await t.request('POST', '/v1/audit/checkpoints/verify', { body: latest });
    assert.equal(unauthenticated.status, 401);
  });
});
