import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import {
  MAX_REPORTED_BREAKS,
  appendAuditEvent,
  recordAuditEvent,
  verifyAuditChain,
} from '../../src/audit/index.js';
import { chainHash } from '../../src/audit/chain.js';
import type { JsonValue } from '../../src/audit/index.js';
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
        recordAuditEvent(db, { type: 'screening.failed', actor: 'system', payload: { i } }),
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

  it('reports an altered row, and every later independent break too', async () => {
    await appendSome(6);
    await tamper(
      `UPDATE audit_events SET payload = '{"policy":"kyc-basic","reasons":[],"index":99}' WHERE seq = 3`,
    );
    await tamper(`UPDATE audit_events SET actor = 'someone-else' WHERE seq = 5`);
    const result = await verifyAuditChain(db);
    assert.equal(result.ok, false);
    assert.equal(result.breakCount, 2);
    assert.deepEqual(
      result.breaks.map((b) => [b.seq, b.reason]),
      [
        ['3', 'hash-mismatch'],
        ['5', 'hash-mismatch'],
      ],
    );
    assert.equal(result.firstBreak?.seq, '3');
    assert.equal(result.checked, 6);
  });

  it('reports a deleted row as a gap naming the missing events', async () => {
    await appendSome(6);
    await tamper('DELETE FROM audit_events WHERE seq IN (2, 3)');
    await tamper(`UPDATE audit_events SET subject = NULL WHERE seq = 5`);
    const result = await verifyAuditChain(db);
    assert.deepEqual(
      result.breaks.map((b) => [b.seq, b.reason]),
      [
        ['2', 'gap'],
        ['5', 'hash-mismatch'],
      ],
    );
    assert.match(result.breaks[0]!.message, /events 2 to 3 are missing/);
  });

  it('reports a row whose predecessor link was rewritten', async () => {
    await appendSome(3);
    await tamper(`UPDATE audit_events SET prev_hash = '\\x00' WHERE seq = 2`);
    const result = await verifyAuditChain(db);
    assert.equal(result.firstBreak?.reason, 'prev-hash-mismatch');
    assert.equal(result.firstBreak?.seq, '2');
  });

  it('caps the breaks it lists and counts them all', async () => {
    await appendSome(MAX_REPORTED_BREAKS + 5);
    await tamper(`UPDATE audit_events SET actor = 'rewritten'`);
    const result = await verifyAuditChain(db, 37);
    assert.equal(result.breakCount, MAX_REPORTED_BREAKS + 5);
    assert.equal(result.breaks.length, MAX_REPORTED_BREAKS);
  });

  describe('events hashed by Custos 0.1 (hash version 1)', () => {
    // What 0.1 wrote for a regulator's date-range read: the dates stored as ISO strings, hashed as {}.
    async function writeLegacyRead(filters: JsonValue, hashedFilters: JsonValue) {
      const last = await db.auditEvent.findFirst({ orderBy: { seq: 'desc' } });
      const record = {
        seq: (last?.seq ?? 0n) + 1n,
        type: 'audit.read',
        actor: 'api-key:regulator',
        tenantId: null,
        subject: null,
        attestationUid: null,
        createdAt: new Date(),
        hashVersion: 1,
      };
      const prevHash = last ? Buffer.from(last.hash) : Buffer.alloc(32);
      const hash = chainHash(prevHash, { ...record, payload: { action: 'query', filters: hashedFilters } });
      await superuser.query(
        `INSERT INTO audit_events (seq, type, actor, payload, created_at, hash_version, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7)`,
        [
          record.seq.toString(),
          record.type,
          record.actor,
          JSON.stringify({ action: 'query', filters }),
          record.createdAt,
          prevHash,
          hash,
        ],
      );
    }

    it('verify accepts exactly the legacy date encoding, counts it, and keeps history as it is', async () => {
      await appendSome(2);
      await writeLegacyRead(
        { from: '2026-12-01T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z' },
        { from: {}, to: {} },
      );
      await writeLegacyRead({ from: '2026-11-01T00:00:00.000Z' }, { from: {} });
      await appendSome(1);
      const result = await verifyAuditChain(db);
      assert.equal(result.ok, true, JSON.stringify(result.breaks));
      assert.equal(result.legacyEncoded, 2);
      assert.equal(result.checked, 5);
    });

    it('the legacy reading forgives nothing else: another edit of a legacy event is still a break', async () => {
      await writeLegacyRead(
        { from: '2026-12-01T00:00:00.000Z', subject: '0xabc' },
        { from: {}, subject: '0xabc' },
      );
      await tamper(
        `UPDATE audit_events SET payload = jsonb_set(payload, '{filters,subject}', '"0xdef"') WHERE seq = 1`,
      );
      assert.equal((await verifyAuditChain(db)).breakCount, 1);
    });

    it('a current event relabelled as version 1 does not fall under the legacy reading', async () => {
      await recordAuditEvent(db, {
        type: 'audit.read',
        actor: 'api-key:regulator',
        payload: { action: 'query', filters: { from: new Date('2026-12-01T00:00:00Z') } },
      });
      assert.equal((await verifyAuditChain(db)).ok, true);
      await tamper(`UPDATE audit_events SET hash_version = 1 WHERE seq = 1`);
      assert.equal((await verifyAuditChain(db)).breakCount, 1);
    });
  });
});
