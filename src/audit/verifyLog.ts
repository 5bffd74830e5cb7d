import type { ChainOperator } from '../chain/index.js';
import type { Database } from '../db/index.js';
import { verifyAnchors, type AnchorVerification } from './anchoring.js';
import { signerTrustOnChain, verifyCheckpoints, type CheckpointVerification } from './checkpoints.js';
import { verifyAuditChain, type ChainVerification } from './verify.js';

export interface AuditLogVerification extends ChainVerification {
  anchors?: AnchorVerification;
  checkpoints: CheckpointVerification;
  /**
   * How far each protection reaches: events up to `anchoredThroughSeq` are in roots on-chain, up to
   * `checkpointedThroughSeq` under a signed checkpoint only, and the rest (written since) under neither yet.
   */
  coverage: { head: string | null; anchoredThroughSeq: string | null; checkpointedThroughSeq: string | null };
}

/** The whole check behind `custos audit verify`: the hash chain, the on-chain anchors and the signed checkpoints. */
export async function verifyAuditLog(db: Database, chain: ChainOperator): Promise<AuditLogVerification> {
  const log = await verifyAuditChain(db);
  const anchors = chain.auditAnchor ? await verifyAnchors(db, chain) : undefined;
  const checkpoints = await verifyCheckpoints(db, signerTrustOnChain(chain));
  const anchoredThrough = chain.auditAnchor ? (await chain.anchorState()).nextSeq - 1n : 0n;
  return {
    ...log,
    ok: log.ok && (anchors?.ok ?? true) && checkpoints.ok,
    ...(anchors ? { anchors } : {}),
    checkpoints,
    coverage: {
      head: log.lastSeq,
      anchoredThroughSeq: anchoredThrough > 0n ? anchoredThrough.toString() : null,
      checkpointedThroughSeq: checkpoints.latest?.seq ?? null,
    },
  };
}
