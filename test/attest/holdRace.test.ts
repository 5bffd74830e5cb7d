import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Wallet, hexlify, randomBytes } from 'ethers';
import { AttestationService, DelegationService, createIssuanceLog } from '../../src/attest/index.js';
import { ensureTenant } from '../../src/auth/index.js';
import { applyMigrations, closeDatabase, createDatabase, type Database } from '../../src/db/index.js';
import { policyIdOf } from '../../src/chain/index.js';
import { CustosError } from '../../src/errors/index.js';
import { DELEGATION_TYPES } from '../../src/issuer/index.js';
import { loadPolicies, lockSubjectForHold, placeHold } from '../../src/screening/index.js';
import { LocalSigner, type AttestationSigner } from '../../src/signers/index.js';
import { approveSubject } from '../helpers/fixtures.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

/**
 * An officer holds (revokes) a subject after its request was screened and before its attestation is committed: the
 * signer is held up until the hold is placed, as a slow KMS call or a long batch window would be.
 */
describe('a hold placed between screening and commit', () => {
  let postgres: TestPostgres;
  let db: Database;
  let service: AttestationService;
  let delegations: DelegationService;
  const gatekeeper = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
  let signed: () => void;
  let release: () => void;

  before(async () => {
    postgres = await startTestPostgres();
    await applyMigrations(postgres.url);
    db = createDatabase(postgres.url, 4);
    const local = await LocalSigner.open(
      path.join(mkdtempSync(path.join(tmpdir(), 'custos-ks-')), 'k.json'),
      'pw',
      () => {},
    );
    const gated: AttestationSigner = {
      backend: local.backend,
      address: local.address,
      ping: () => local.ping(),
      signDigest: async (digest) => {
        signed();
        await new Promise<void>((resolve) => (release = resolve));
        return local.signDigest(digest);
      },
    };
    const options = {
      db,
      log: createIssuanceLog(db),
      policies: loadPolicies(),
      signer: () => gated,
      chainId: 31337,
      gatekeeper,
      batch: { windowMs: 5, maxSize: 8 },
    };
    service = new AttestationService(options);
    delegations = new DelegationService(options);
  });
  after(async () => {
    if (db) await closeDatabase(db);
    await postgres?.stop();
  });

  for (const format of ['eip712', 'eip712-batch'] as const) {
    it(`${format}: the request is refused with SUBJECT_HELD and nothing is issued`, async () => {
      const tenantId = await ensureTenant(db, 'holds');
      const subject = Wallet.createRandom().address;
      await approveSubject(db, subject);
      const signing = new Promise<void>((resolve) => (signed = resolve));
      const attempt = service.attest({ tenantId, actor: 'test', subject, policy: 'kyc-basic', format });
      await refusedForTheHold(tenantId, subject, attempt, signing);
      assert.equal(await db.attestation.count({ where: { subject } }), 0);
    });
  }

  it('a delegation: refused with SUBJECT_HELD when its principal is held, and nothing is issued', async () => {
    const tenantId = await ensureTenant(db, 'holds');
    const principal = Wallet.createRandom();
    await approveSubject(db, principal.address);
    const now = Math.floor(Date.now() / 1000) - 5;
    const terms = {
      uid: hexlify(randomBytes(32)),
      principal: principal.address,
      agent: Wallet.createRandom().address,
      policy: 'kyc-basic',
      permissions: [{ target: gatekeeper, selector: '0x12345678' }],
      issuedAt: now,
      expiresAt: now + 3600,
    };
    const { policy, ...message } = terms;
    const principalSignature = await principal.signTypedData(
      { name: 'Custos', version: '1', chainId: 31337, verifyingContract: gatekeeper },
      DELEGATION_TYPES,
      { ...message, policyId: policyIdOf(policy), spendCap: (2n ** 128n - 1n).toString() },
    );
    const signing = new Promise<void>((resolve) => (signed = resolve));
    const attempt = delegations.delegate({ tenantId, actor: 'test', terms, principalSignature });
    await refusedForTheHold(tenantId, principal.address, attempt, signing);
    assert.equal(await db.attestation.count({ where: { subject: principal.address } }), 0);
    assert.equal(await db.delegation.count({ where: { uid: terms.uid } }), 0);
  });

  /** Holds `subject` while `attempt` is signing, then checks the attempt is refused for it and audited so. */
  async function refusedForTheHold(
    tenantId: string,
    subject: string,
    attempt: Promise<unknown>,
    signing: Promise<void>,
  ) {
    await signing;
    await db.$transaction(async (tx) => {
      await lockSubjectForHold(tx, subject);
      await placeHold(tx, {
        subject,
        scope: { tenantId },
        reasonCode: 'FRAUD',
        reason: 'found out',
        actor: 'officer',
      });
    });
    release();
    await assert.rejects(attempt, (error: unknown) => {
      assert.ok(error instanceof CustosError && error.code === 'SCREENING_FAILED', String(error));
      assert.deepEqual(
        (error.details as { reasons: { code: string }[] }).reasons.map((r) => r.code),
        ['SUBJECT_HELD'],
      );
      return true;
    });
    const refusals = await db.auditEvent.findMany({ where: { subject, type: 'screening.failed' } });
    assert.deepEqual(
      refusals.map((e) => (e.payload as { reasons: string[] }).reasons),
      [['SUBJECT_HELD']],
    );
  }
});
