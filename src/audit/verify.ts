import type { Database } from '../db/index.js';
import { GENESIS_HASH, chainHash } from './chain.js';

export interface ChainBreak {
  seq: string;
  reason: 'gap' | 'prev-hash-mismatch' | 'hash-mismatch';
  message: string;
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  lastSeq: string | null;
  headHash: string | null;
  firstBreak?: ChainBreak;
}

/**
 * Recomputes the whole chain in sequence order, a page at a time, and reports the first broken link: a missing
 * sequence number (a deleted row), a row whose prev_hash is not its predecessor's hash (reordered or inserted), or a
 * row whose content no longer hashes to its stored hash (altered).
 */
export async function verifyAuditChain(db: Database, pageSize = 5000): Promise<ChainVerification> {
  let expectedSeq = 1n;
  let prevHash: Buffer = GENESIS_HASH;
  let checked = 0;
  for (;;) {
    const page = await db.auditEvent.findMany({
      where: { seq: { gte: expectedSeq } },
      orderBy: { seq: 'asc' },
      take: pageSize,
    });
    for (const row of page) {
      const seq = row.seq.toString();
      const fail = (reason: ChainBreak['reason'], message: string): ChainVerification => ({
        ok: false,
        checked,
        lastSeq: seq,
        headHash: prevHash.toString('hex'),
        firstBreak: { seq, reason, message },
      });
      if (row.seq !== expectedSeq) return fail('gap', `event ${expectedSeq} is missing (next is ${seq})`);
      if (!prevHash.equals(Buffer.from(row.prevHash))) {
        return fail('prev-hash-mismatch', `event ${seq} does not point at event ${expectedSeq - 1n}`);
      }
      const recomputed = chainHash(prevHash, row);
      if (!recomputed.equals(Buffer.from(row.hash))) {
        return fail('hash-mismatch', `event ${seq} was altered: its content no longer matches its hash`);
      }
      prevHash = recomputed;
      expectedSeq += 1n;
      checked += 1;
    }
    if (page.length < pageSize) break;
  }
  return {
    ok: true,
    checked,
    lastSeq: checked ? (expectedSeq - 1n).toString() : null,
    headHash: checked ? prevHash.toString('hex') : null,
  };
}
