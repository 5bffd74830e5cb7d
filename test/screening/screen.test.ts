import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Wallet } from 'ethers';
import { ensureTenant } from '../../src/auth/index.js';
import { applyMigrations, closeDatabase, createDatabase, type Database } from '../../src/db/index.js';
import {
  loadPolicies,
  loadSanctionsList,
  placeHold,
  screenSubject,
  setKycRecord,
  type Screening,
} from '../../src/screening/index.js';
import { approveSubject } from '../helpers/fixtures.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

describe('screenSubject: concurrent screenings share one read and each gets its own decision', () => {
  let postgres: TestPostgres;
  let db: Database;
  let tenantA: string;
  let tenantB: string;
  const policy = loadPolicies().get('kyc-basic')!;
  const subject = () => Wallet.createRandom().address;
  const [approved, heldForA, heldForAll, sanctioned, noKyc, rejected] = Array.from({ length: 6 }, subject);

  before(async () => {
    postgres = await startTestPostgres();
    await applyMigrations(postgres.url);
    db = createDatabase(postgres.url, 4);
    tenantA = await ensureTenant(db, 'a');
    tenantB = await ensureTenant(db, 'b');
    for (const s of [approved, heldForA, heldForAll, sanctioned]) await approveSubject(db, s!);
    await setKycRecord(
      db,
      { subject: rejected!, status: 'rejected', provider: 'test', accredited: false },
      { by: 'officer', actor: 'test', scope: 'all-tenants' },
    );
    await loadSanctionsList(db, {
      name: 'custom-deny',
      content: `${sanctioned!.toLowerCase()},Someone\n`,
      actor: 'test',
    });
    await db.$transaction(async (tx) => {
      await placeHold(tx, {
        subject: heldForA!,
        scope: { tenantId: tenantA },
        reasonCode: 'OTHER',
        reason: 'r',
        actor: 'test',
      });
      await placeHold(tx, {
        subject: heldForAll!,
        scope: 'all-tenants',
        reasonCode: 'OTHER',
        reason: 'r',
        actor: 'test',
      });
    });
  });
  after(async () => {
    if (db) await closeDatabase(db);
    await postgres?.stop();
  });

  const essence = ({ passed, reasons, listVersions, kycSource, profile }: Screening) => ({
    passed,
    reasons: reasons.map((r) => r.code),
    listVersions,
    kycSource,
    held: profile.held,
    listHits: profile.listHits,
  });

  it('decides the same for every subject and tenant whether screened alone or with 60 others', async () => {
    const now = new Date();
    const requests = [approved, heldForA, heldForAll, sanctioned, noKyc, rejected].flatMap((s) =>
      [tenantA, tenantB].map((tenantId) => ({ subject: s!, tenantId })),
    );
    const alone: ReturnType<typeof essence>[] = [];
    for (const request of requests) alone.push(essence(await screenSubject(db, policy, request, now)));

    let reads = 0;
    const query = db.pool.query.bind(db.pool);
    db.pool.query = ((...args: Parameters<typeof query>) => {
      reads++;
      return query(...args);
    }) as typeof query;
    try {
      const many = Array.from({ length: 5 }, () => requests).flat();
      const together = await Promise.all(many.map((r) => screenSubject(db, policy, r, now)));
      assert.deepEqual(together.map(essence), Array.from({ length: 5 }, () => alone).flat());
      assert.ok(reads < many.length / 4, `${many.length} screenings took ${reads} reads`);
    } finally {
      db.pool.query = query;
    }

    const byRequest = new Map(requests.map((r, i) => [`${r.subject}/${r.tenantId}`, alone[i]!]));
    const at = (s: string | undefined, t: string) => byRequest.get(`${s}/${t}`)!;
    assert.equal(at(approved, tenantB).passed, true);
    assert.deepEqual([at(heldForA, tenantA).held, at(heldForA, tenantB).held], [true, false]);
    assert.deepEqual([at(heldForAll, tenantA).held, at(heldForAll, tenantB).held], [true, true]);
    assert.deepEqual(at(sanctioned, tenantA).listHits, [{ list: 'custom-deny', entity: 'Someone' }]);
    assert.deepEqual(at(sanctioned, tenantA).reasons, ['SANCTIONED']);
    assert.deepEqual(at(noKyc, tenantA).reasons, ['KYC_MISSING']);
    assert.equal(at(noKyc, tenantA).kycSource, null);
    assert.equal(at(rejected, tenantA).reasons[0], 'KYC_STATUS');
    assert.deepEqual(
      at(approved, tenantA).listVersions.map((v) => v.name),
      ['custom-deny'],
    );
  });

  it('a request the database refuses fails alone; the others in its read are answered', async () => {
    const now = new Date();
    const results = await Promise.allSettled([
      screenSubject(db, policy, { subject: approved!, tenantId: tenantA }, now),
      screenSubject(db, policy, { subject: approved!, tenantId: 'not-a-uuid' }, now),
      screenSubject(db, policy, { subject: noKyc!, tenantId: tenantB }, now),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal((results[0] as PromiseFulfilledResult<Screening>).value.passed, true);
    assert.equal((results[2] as PromiseFulfilledResult<Screening>).value.passed, false);
  });
});
