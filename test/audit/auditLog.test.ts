import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import {
  appendAuditEvent,
  canonicalJson,
  recordAuditEvent,
  verifyAuditChain,
} from '../../src/audit/index.js';
import { applyMigrations, closeDatabase, createDatabase, type Database } from '../../src/db/index.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

describe('audit log', () => {
  let postgres: TestPostgres;
  let db: Database;
  let superuser: pg.Client;

  before(async () => {
    postgres = await startTestPostgres();
    await applyMigrations(postgres.url);
    db = createDatabase(postgres.url);
    superuser = new pg.Client({ connectionString: postgres.url });
    await superuser.connect();
  });

  after(async () => {
    await superuser?.end();
    if (db) await closeDatabase(db);
    await postgres?.stop();
  });

  // Tampering "behind the database's back": an operator with owner rights switches the guard off.
  async function tamper(sql: string): Promise<void> {
    await superuser.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    try {
      await superuser.query(sql);
    } finally {
      await superuser.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
    }
  }

  beforeEach(async () => {
    await tamper('DELETE FROM audit_events');
  });

  async function appendSome(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await recordAuditEvent(db, {
        type: 'attestation.issued',
        actor: 'api-key:test',
        subject: `0x${String(i).padStart(40, '0')}`,
        payload: { policy: 'kyc-basic', reasons: [], index: i },
      });
    }
  }

  it('chains events and verifies an untouched log', async () => {
    await appendSome(5);
    const result = await verifyAuditChain(db, 2); // small pages exercise the paging
    assert.equal(result.ok, true);
    assert.equal(result.checked, 5);
    assert.equal(result.lastSeq, '5');
  });

  it('keeps seq contiguous and the chain valid under concurrent appends', async () => {
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        recordAuditEvent(db, { type: 'screening.decided', actor: 'system', payload: { i } }),
      ),
    );
    const result = await verifyAuditChain(db);
    assert.equal(result.ok, true);
    assert.equal(result.checked, 25);
  });

  it('rolls the event back with the transaction that wrote it', async () => {
    await assert.rejects(
      db.$transaction(async (tx) => {
        await appendAuditEvent(tx, { type: 'attestation.issued', actor: 'system', payload: {} });
        throw new Error('signer unreachable');
      }),
      /signer unreachable/,
    );
    assert.equal(await db.auditEvent.count(), 0);
  });

  it('reports the first altered row', async () => {
    await appendSome(5);
    await tamper(
      `UPDATE audit_events SET payload = '{"policy":"kyc-basic","reasons":[],"index":99}' WHERE seq = 3`,
    );
    const result = await verifyAuditChain(db);
    assert.equal(result.ok, false);
    assert.equal(result.firstBreak?.seq, '3');
    assert.equal(result.firstBreak?.reason, 'hash-mismatch');
    assert.equal(result.checked, 2);
  });

  it('reports a deleted row as a gap', async () => {
    await appendSome(4);
    await tamper('DELETE FROM audit_events WHERE seq = 2');
    const result = await verifyAuditChain(db);
    assert.equal(result.firstBreak?.reason, 'gap');
    assert.equal(result.firstBreak?.seq, '3');
  });

  it('reports a row whose predecessor link was rewritten', async () => {
    await appendSome(3);
    await tamper(`UPDATE audit_events SET prev_hash = '\\x00' WHERE seq = 2`);
    const result = await verifyAuditChain(db);
    assert.equal(result.firstBreak?.reason, 'prev-hash-mismatch');
    assert.equal(result.firstBreak?.seq, '2');
  });

  it('canonical JSON sorts keys at every depth and refuses unsafe numbers', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } }),
      '{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}',
    );
    assert.throws(() => canonicalJson({ wei: 2 ** 60 }), /not a safe integer/);
  });
});
