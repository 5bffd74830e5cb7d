import type { Database } from '../db/index.js';
import type { JsonValue } from './canonical.js';
import { GENESIS_HASH, chainHash, type AuditRecord } from './chain.js';
import { legacyHashedPayload } from './legacyEncoding.js';

export interface ChainBreak {
  seq: string;
  reason: 'gap' | 'prev-hash-mismatch' | 'hash-mismatch';
  message: string;
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  lastSeq: string | null;
  /** The stored hash of the last event read. */
  headHash: string | null;
  /** Every broken link found; `breaks` lists the first MAX_REPORTED_BREAKS of them. */
  breakCount: number;
  breaks: ChainBreak[];
  firstBreak?: ChainBreak;
  /** Version-1 events that match their hash only under the documented legacy encoding (legacyEncoding.ts). */
  legacyEncoded: number;
}

export const MAX_REPORTED_BREAKS = 100;

/** Whether the stored row hashes to its stored hash, and under which reading. */
function rehash(prevHash: Buffer, row: AuditRecord & { hash: Uint8Array }): 'current' | 'legacy' | 'altered' {
  const stored = Buffer.from(row.hash);
  if (chainHash(prevHash, row).equals(stored)) return 'current';
  if (row.hashVersion !== 1) return 'altered';
  const legacy = legacyHashedPayload(row.type, row.payload);
  return legacy !== undefined && chainHash(prevHash, { ...row, payload: legacy }).equals(stored)
    ? 'legacy'
    : 'altered';
}

/**
 * Recomputes the whole chain in sequence order, a page at a time, and reports every broken link: a missing
 * sequence number (a deleted row), a row whose prev_hash is not its predecessor's hash (reordered or inserted), or a
 * row whose content no longer hashes to its stored hash (altered). After a break it carries on from the stored
 * hashes, so one altered row is one break and a later, independent edit is still found.
 */
export async function verifyAuditChain(db: Database, pageSize = 5000): Promise<ChainVerification> {
  let expectedSeq = 1n;
  let prevHash: Buffer = GENESIS_HASH;
  let checked = 0;
  let legacyEncoded = 0;
  let breakCount = 0;
  const breaks: ChainBreak[] = [];
  const broken = (seq: bigint, reason: ChainBreak['reason'], message: string) => {
    breakCount += 1;
    if (breaks.length < MAX_REPORTED_BREAKS) breaks.push({ seq: seq.toString(), reason, message });
  };
  let after = 0n;
  for (;;) {
    const page = await db.auditEvent.findMany({
      where: { seq: { gt: after } },
      orderBy: { seq: 'asc' },
      take: pageSize,
    });
    for (const row of page) {
      const record = { ...row, payload: row.payload as JsonValue };
      if (row.seq !== expectedSeq) {
        const missing = row.seq - expectedSeq;
        broken(
          expectedSeq,
          'gap',
          missing === 1n
            ? `event ${expectedSeq} is missing`
            : `events ${expectedSeq} to ${row.seq - 1n} are missing (${missing})`,
        );
      } else if (!prevHash.equals(Buffer.from(row.prevHash))) {
        broken(row.seq, 'prev-hash-mismatch', `event ${row.seq} does not point at event ${row.seq - 1n}`);
      }
      const verdict = rehash(Buffer.from(row.prevHash), record);
      if (verdict === 'altered') {
        broken(
          row.seq,
          'hash-mismatch',
          `event ${row.seq} was altered: its content no longer matches its hash`,
        );
      }
      if (verdict === 'legacy') legacyEncoded += 1;
      prevHash = Buffer.from(row.hash);
      expectedSeq = row.seq + 1n;
      after = row.seq;
      checked += 1;
    }
    if (page.length < pageSize) break;
  }
  return {
    ok: breakCount === 0,
    checked,
    lastSeq: checked ? after.toString() : null,
    headHash: checked ? prevHash.toString('hex') : null,
    breakCount,
    breaks,
    ...(breaks[0] ? { firstBreak: breaks[0] } : {}),
    legacyEncoded,
  };
}
