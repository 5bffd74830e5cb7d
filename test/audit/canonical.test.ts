import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import {
  AUDIT_EVENT_TYPES,
  AuditEncodingError,
  appendAuditEvent,
  appendAuditEvents,
  canonicalJson,
  toJsonValue,
  verifyAuditChain,
  type AuditEventType,
  type JsonValue,
} from '../../src/audit/index.js';
import { chainHash } from '../../src/audit/chain.js';
import {
  applyMigrations,
  closeDatabase,
  createDatabase,
  inTransaction,
  type Database,
} from '../../src/db/index.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

/** Text PostgreSQL's jsonb can store: any Unicode scalar value but NUL (lone surrogates are not scalar values). */
const storableText = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !s.includes('\u0000'));

/**
 * Every shape a payload can take in the code: nested objects and arrays, dates, bigints, safe integers, floats,
 * booleans, null, undefined properties (dropped) and array holes (null), text in any script.
 */
const payloadValue = fc.letrec((tie) => ({
  leaf: fc.oneof(
    storableText,
    fc.date({ noInvalidDate: true }),
    fc.bigInt({ min: -(2n ** 256n), max: 2n ** 256n }),
    fc.maxSafeInteger(),
    fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .filter((n) => !Number.isInteger(n) || Number.isSafeInteger(n)),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
  ),
  value: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(storableText, tie('value'), { maxKeys: 5 }),
}));
const payload = fc.dictionary(storableText, payloadValue.value, { maxKeys: 6 });
const eventTypes = Object.keys(AUDIT_EVENT_TYPES) as AuditEventType[];

describe('canonical JSON (RFC 8785)', () => {
  it('matches the RFC 8785 reference implementation on every JSON value', () => {
    fc.assert(
      fc.property(payload, (value) => {
        const json = toJsonValue(value);
        assert.equal(canonicalJson(json), canonicalize(json));
      }),
      { seed: 8785, numRuns: 500 },
    );
  });

  it("sorts keys by UTF-16 code units and writes numbers as the RFC's examples", () => {
    // RFC 8785 §3.2.3 (sorting) and §3.2.2.3 (numbers).
    const sorted = canonicalJson({
      '\u20ac': 1,
      '\r': 2,
      '\ufb33': 3,
      '1': 4,
      '\ud83d\ude00': 5,
      '\u0080': 6,
      '\u00f6': 7,
    });
    assert.deepEqual(
      [...sorted.matchAll(/"([^"]+)":/g)].map((m) => m[1]),
      ['\\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'],
    );
    assert.equal(
      // eslint-disable-next-line no-loss-of-precision -- the RFC's own input, which does lose precision
      canonicalJson([333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001]),
      '[333333333.3333333,1e+30,4.5,0.002,1e-27]',
    );
  });

  it('stores dates and bigints as the strings JSON would, and refuses what cannot be stored as hashed', () => {
    assert.deepEqual(
      toJsonValue({ at: new Date('2026-12-01T00:00:00Z'), wei: 10n ** 30n, gone: undefined }),
      {
        at: '2026-12-01T00:00:00.000Z',
        wei: '1000000000000000000000000000000',
      },
    );
    for (const bad of [
      { nul: 'a\u0000b' },
      { lone: '\ud800' },
      { ['\udc00']: 1 },
      { big: 2 ** 60 },
      { inf: Infinity },
      { nan: NaN },
      { buffer: Buffer.from('x') },
      { map: new Map() },
      { fn: () => 1 },
      { invalid: new Date(Number.NaN) },
    ]) {
      assert.throws(() => toJsonValue(bad), AuditEncodingError, JSON.stringify(Object.keys(bad)));
    }
  });
});

describe('audit payloads round-trip through PostgreSQL', () => {
  let postgres: TestPostgres;
  let db: Database;

  before(async () => {
    postgres = await startTestPostgres();
    await applyMigrations(postgres.url);
    db = createDatabase(postgres.url);
  });

  after(async () => {
    if (db) await closeDatabase(db);
    await postgres?.stop();
  });

  it('hash(as stored and read back) == hash(as written), for every event type, through both writers', async () => {
    const written = new Map<bigint, Buffer>();
    let i = 0;
    await fc.assert(
      fc.asyncProperty(payload, async (value) => {
        const type = eventTypes[i++ % eventTypes.length]!;
        const input = { type, actor: 'property-test', payload: value };
        // Alternate between the Prisma writer and the group-commit (node-postgres) writer.
        const events =
          i % 2 === 0
            ? [await db.$transaction((tx) => appendAuditEvent(tx, input))]
            : await inTransaction(db, (client) => appendAuditEvents(client, [input]));
        for (const event of events) {
          const hash = chainHash(event.prevHash, event);
          written.set(event.seq, hash);
          const row = await db.auditEvent.findUniqueOrThrow({ where: { seq: event.seq } });
          const readBack = chainHash(row.prevHash, { ...row, payload: row.payload as JsonValue });
          assert.equal(readBack.toString('hex'), Buffer.from(row.hash).toString('hex'));
          assert.equal(readBack.toString('hex'), hash.toString('hex'));
        }
      }),
      { seed: 34, numRuns: 200 },
    );
    const verification = await verifyAuditChain(db);
    assert.equal(verification.ok, true, JSON.stringify(verification.breaks));
    assert.equal(verification.checked, written.size);
    assert.equal(verification.legacyEncoded, 0);
  });
});
