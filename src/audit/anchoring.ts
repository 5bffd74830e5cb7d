import type { ChainOperator } from '../chain/index.js';
import { withTryAdvisoryLock, type Database } from '../db/index.js';
import { merkleRoot } from './merkle.js';

export interface AnchorPolicy {
  /** Most events in one batch. */
  maxBatch: number;
  /** A batch closes once this many events wait... */
  minBatch: number;
  /** ...or once the oldest waiting event is this old. */
  maxAgeSeconds: number;
}

export interface AnchoredBatch {
  index: number;
  firstSeq: bigint;
  lastSeq: bigint;
  root: Buffer;
  txHash: string | null;
}

/** One anchorer at a time across every Custos process; any constant shared by them. */
const ANCHOR_LOCK = 0x616e6368; // "anch"

/** The event hashes of seq firstSeq..lastSeq, in order: the leaves of that batch's Merkle tree. */
export async function batchLeaves(db: Database, firstSeq: bigint, lastSeq: bigint): Promise<Buffer[]> {
  const { rows } = await db.pool.query<{ hash: Buffer }>(
    'SELECT hash FROM audit_events WHERE seq BETWEEN $1 AND $2 ORDER BY seq',
    [firstSeq.toString(), lastSeq.toString()],
  );
  return rows.map((r) => r.hash);
}

/**
 * Closes batches of audit events and anchors their RFC 6962 root in AuditAnchor. A batch is recorded in the
 * database only once its transaction is confirmed; batches the chain has but the database lacks (a crash after
 * sending) are copied back from the chain first, and batches the chain lost are dropped and anchored again. Since
 * AuditAnchor only accepts the batch that starts at its `nextSeq`, no batch is ever skipped or anchored twice,
 * whatever crashes or outages happen in between.
 */
export class AuditAnchorer {
  constructor(
    private readonly db: Database,
    private readonly chain: ChainOperator,
    private readonly policy: AnchorPolicy,
  ) {}

  /** Anchors at most one batch, if this process holds the anchoring lock and a batch is due. */
  async tick(): Promise<AnchoredBatch | null> {
    return withTryAdvisoryLock(this.db, ANCHOR_LOCK, () => this.anchorNext());
  }

  private async anchorNext(): Promise<AnchoredBatch | null> {
    const { nextSeq, batchCount } = await this.chain.anchorState();
    // Batches the database holds beyond the chain's count were confirmed once and then lost by the chain (a
    // reorganisation, a node restored without its last blocks): they are not anchored, so they are anchored again.
    await this.db.auditBatch.deleteMany({ where: { index: { gte: batchCount } } });
    await this.recordBatchesFromChain(batchCount);
    const head = await this.db.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
    if (!head || head.seq < nextSeq) return null;
    const waiting = head.seq - nextSeq + 1n;
    const oldest = await this.db.auditEvent.findUnique({
      where: { seq: nextSeq },
      select: { createdAt: true },
    });
    const overdue =
      oldest !== null && Date.now() - oldest.createdAt.getTime() >= this.policy.maxAgeSeconds * 1000;
    if (waiting < BigInt(this.policy.minBatch) && !overdue) return null;

    const lastSeq =
      head.seq < nextSeq + BigInt(this.policy.maxBatch) - 1n
        ? head.seq
        : nextSeq + BigInt(this.policy.maxBatch) - 1n;
    const leaves = await batchLeaves(this.db, nextSeq, lastSeq);
    if (BigInt(leaves.length) !== lastSeq - nextSeq + 1n) {
      throw new Error(
        `audit events ${nextSeq}..${lastSeq} have gaps; run custos audit verify before anchoring`,
      );
    }
    const root = merkleRoot(leaves);
    const receipt = await this.chain.anchor(nextSeq, lastSeq, `0x${root.toString('hex')}`);
    const batch = { index: batchCount, firstSeq: nextSeq, lastSeq, root, txHash: receipt.txHash };
    await this.db.auditBatch.create({
      data: { ...batch, root: new Uint8Array(root), anchoredAt: new Date() },
    });
    return batch;
  }

  private async recordBatchesFromChain(batchCount: number): Promise<void> {
    for (let index = await this.db.auditBatch.count(); index < batchCount; index++) {
      const batch = await this.chain.anchoredBatch(index);
      await this.db.auditBatch.create({
        data: {
          index,
          firstSeq: batch.firstSeq,
          lastSeq: batch.lastSeq,
          root: new Uint8Array(Buffer.from(batch.root.slice(2), 'hex')),
          anchoredAt: new Date(batch.anchoredAt * 1000),
        },
      });
    }
  }
}

export interface AnchorMismatch {
  batch: number;
  reason: 'events-missing' | 'root-mismatch';
  message: string;
}

export interface AnchorVerification {
  ok: boolean;
  batches: number;
  firstMismatch?: AnchorMismatch;
}

/**
 * Recomputes every anchored batch's root from the events in the database and compares it with the root on-chain:
 * an event altered or removed after anchoring, or a database restored from an older backup, shows up here even
 * when the hash chain itself is consistent.
 */
export async function verifyAnchors(db: Database, chain: ChainOperator): Promise<AnchorVerification> {
  const { batchCount } = await chain.anchorState();
  for (let index = 0; index < batchCount; index++) {
    const batch = await chain.anchoredBatch(index);
    const leaves = await batchLeaves(db, batch.firstSeq, batch.lastSeq);
    const expected = Number(batch.lastSeq - batch.firstSeq + 1n);
    const fail = (reason: AnchorMismatch['reason'], message: string): AnchorVerification => ({
      ok: false,
      batches: index,
      firstMismatch: { batch: index, reason, message },
    });
    if (leaves.length !== expected) {
      return fail(
        'events-missing',
        `batch ${index} anchored events ${batch.firstSeq}..${batch.lastSeq}; the database has ${leaves.length} of ${expected}`,
      );
    }
    if (`0x${merkleRoot(leaves).toString('hex')}` !== batch.root) {
      return fail(
        'root-mismatch',
        `batch ${index} (events ${batch.firstSeq}..${batch.lastSeq}) no longer matches its on-chain root`,
      );
    }
  }
  return { ok: true, batches: batchCount };
}
