import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Wallet } from 'ethers';
import { AttestationService, createIssuanceLog } from '../../src/attest/index.js';
import { ensureTenant } from '../../src/auth/index.js';
import { applyMigrations, closeDatabase, createDatabase, type Database } from '../../src/db/index.js';
import { loadPolicies } from '../../src/screening/index.js';
import { LocalSigner } from '../../src/signers/index.js';
import { approveSubject } from '../helpers/fixtures.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

/** Two service instances (as two replicas would be) racing on one Idempotency-Key: the unique index decides. */
describe('idempotency across instances', () => {
  let postgres: TestPostgres;
  let db: Database;
  let replicas: AttestationService[];

  before(async () => {
    postgres = await startTestPostgres();
    await applyMigrations(postgres.url);
    db = createDatabase(postgres.url, 4);
    const signer = await LocalSigner.open(
      path.join(mkdtempSync(path.join(tmpdir(), 'custos-ks-')), 'k.json'),
      'pw',
      () => {},
    );
    const make = () =>
      new AttestationService({
        db,
        log: createIssuanceLog(db),
        policies: loadPolicies(),
        signer: () => signer,
        chainId: 31337,
        gatekeeper: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      });
    replicas = [make(), make()];
  });
  after(async () => {
    if (db) await closeDatabase(db);
    await postgres?.stop();
  });

  it('both replicas return the one attestation that was recorded', async () => {
    const tenantId = await ensureTenant(db, 'race');
    const subject = Wallet.createRandom().address;
    await approveSubject(db, subject);
    const request = { tenantId, actor: 'test', subject, policy: 'kyc-basic', idempotencyKey: 'race-1' };
    const [a, b] = await Promise.all(replicas.map((replica) => replica.attest(request)));
    assert.equal(a!.uid, b!.uid);
    assert.equal(await db.attestation.count({ where: { subject } }), 1);
  });

  it("eip712-batch: both return the winner; the loser's leaf, already signed, is recorded without the key", async () => {
    const tenantId = await ensureTenant(db, 'race');
    const subject = Wallet.createRandom().address;
    await approveSubject(db, subject);
    const request = {
      tenantId,
      actor: 'test',
      subject,
      policy: 'kyc-basic',
      format: 'eip712-batch' as const,
      idempotencyKey: 'race-batch-1',
    };
    const [a, b] = await Promise.all(replicas.map((replica) => replica.attest(request)));
    assert.equal(a!.uid, b!.uid);
    assert.equal(a!.format, 'eip712-batch');
    const keyed = await db.attestation.findMany({ where: { tenantId, idempotencyKey: 'race-batch-1' } });
    assert.deepEqual(
      keyed.map((row) => row.uid),
      [a!.uid],
    );
    // Every stored leaf, the loser's too, has its audit event.
    const rows = await db.attestation.findMany({ where: { subject } });
    const audited = await db.auditEvent.count({
      where: { type: 'attestation.issued', attestationUid: { in: rows.map((row) => row.uid) } },
    });
    assert.equal(audited, rows.length);
  });
});
