import { recoverAddress } from 'ethers';
import type { ChainOperator } from '../chain/index.js';
import type { Database } from '../db/index.js';
import { auditCheckpointDigest } from '../issuer/typedData.js';
import type { AttestationSigner } from '../signers/index.js';

/** The audit log's head as the service signed it; what a regulator saves to prove truncation later. */
export interface SignedCheckpoint {
  /** The sequence number of the head event (decimal). */
  seq: string;
  /** 0x + 64 hex: that event's stored hash. */
  head: string;
  /** Unix seconds. */
  signedAt: number;
  chainId: number;
  gatekeeper: string;
  signer: string;
  signature: string;
  reason: 'interval' | 'anchor';
  anchorBatch: number | null;
}

export interface CheckpointSigning {
  /** The active Custos signer (KMS, HSM or local), read at every checkpoint so a rotation applies at once. */
  signer: () => AttestationSigner;
  chainId: number;
  gatekeeper: string;
}

type CheckpointRow = NonNullable<Awaited<ReturnType<Database['auditCheckpoint']['findFirst']>>>;

function view(row: CheckpointRow): SignedCheckpoint {
  return {
    seq: row.seq.toString(),
    head: `0x${Buffer.from(row.headHash).toString('hex')}`,
    signedAt: Math.floor(row.signedAt.getTime() / 1000),
    chainId: row.chainId,
    gatekeeper: row.gatekeeper,
    signer: row.signer,
    signature: row.signature,
    reason: row.reason as SignedCheckpoint['reason'],
    anchorBatch: row.anchorBatch,
  };
}

/** Whether `checkpoint`'s signature recovers to the signer it names. */
export function checkpointSignatureValid(checkpoint: SignedCheckpoint): boolean {
  try {
    const digest = auditCheckpointDigest(checkpoint.chainId, checkpoint.gatekeeper, checkpoint);
    return recoverAddress(digest, checkpoint.signature).toLowerCase() === checkpoint.signer.toLowerCase();
  } catch {
    return false; // not a signature at all
  }
}

/**
 * Signs the audit log's head. Between on-chain anchors this is what makes a cut or recomputed tail detectable: the
 * head a regulator (or this table) holds a signature for must still be in the log, with the same hash.
 */
export class AuditCheckpointer {
  constructor(
    private readonly db: Database,
    private readonly signing: CheckpointSigning,
  ) {}

  /**
   * Signs the current head unless it is already checkpointed (nothing new to sign, and a KMS call saved). Two
   * processes racing sign the same head; the first row stands.
   */
  async checkpoint(reason: SignedCheckpoint['reason'], anchorBatch: number | null = null) {
    const head = await this.db.auditEvent.findFirst({
      orderBy: { seq: 'desc' },
      select: { seq: true, hash: true },
    });
    if (!head) return null;
    if (await this.db.auditCheckpoint.findUnique({ where: { seq: head.seq }, select: { seq: true } }))
      return null;
    const signer = this.signing.signer();
    const message = {
      seq: head.seq.toString(),
      head: `0x${Buffer.from(head.hash).toString('hex')}`,
      signedAt: Math.floor(Date.now() / 1000),
    };
    const digest = auditCheckpointDigest(this.signing.chainId, this.signing.gatekeeper, message);
    const signature = (await signer.signDigest(digest)).serialized;
    const row = {
      seq: head.seq,
      headHash: new Uint8Array(head.hash),
      signedAt: new Date(message.signedAt * 1000),
      chainId: this.signing.chainId,
      gatekeeper: this.signing.gatekeeper,
      signer: signer.address,
      signature,
      reason,
      anchorBatch,
    };
    const { count } = await this.db.auditCheckpoint.createMany({ data: [row], skipDuplicates: true });
    return count === 1 ? view(row) : null;
  }
}

export async function latestCheckpoints(db: Database, limit: number): Promise<SignedCheckpoint[]> {
  return (await db.auditCheckpoint.findMany({ orderBy: { seq: 'desc' }, take: limit })).map(view);
}

export interface CheckpointVerification {
  ok: boolean;
  /** Checkpoints compared with the log. */
  checked: number;
  /** Checkpoints whose event is gone or hashes differently: the log was cut or rewritten after they were signed. */
  mismatchCount: number;
  mismatches: { seq: string; message: string }[];
  latest: (SignedCheckpoint & { signatureValid: boolean; signerTrusted: boolean | null }) | null;
}

const MAX_REPORTED_MISMATCHES = 100;

/**
 * Checks every stored checkpoint against the log (one query: the comparison runs in PostgreSQL), and the latest
 * checkpoint's signature and its signer's trust on the gatekeeper at signing time. `trusted` answers from the chain;
 * an attacker with the database alone cannot make a checkpoint the gatekeeper's signers did not sign.
 */
export async function verifyCheckpoints(
  db: Database,
  trusted: (signer: string, at: number) => Promise<boolean | null>,
): Promise<CheckpointVerification> {
  const { rows } = await db.pool.query<{ seq: string; present: boolean }>(
    `SELECT c.seq::text, e.seq IS NOT NULL AS present
       FROM audit_checkpoints c LEFT JOIN audit_events e ON e.seq = c.seq
      WHERE e.hash IS DISTINCT FROM c.head_hash
      ORDER BY c.seq LIMIT ${MAX_REPORTED_MISMATCHES}`,
  );
  const counts = await db.pool.query<{ checked: number; mismatches: number }>(
    `SELECT count(*)::int AS checked, count(*) FILTER (WHERE e.hash IS DISTINCT FROM c.head_hash)::int AS mismatches
       FROM audit_checkpoints c LEFT JOIN audit_events e ON e.seq = c.seq`,
  );
  const [newest] = await latestCheckpoints(db, 1);
  const latest = newest
    ? {
        ...newest,
        signatureValid: checkpointSignatureValid(newest),
        signerTrusted: await trusted(newest.signer, newest.signedAt),
      }
    : null;
  const { checked, mismatches: mismatchCount } = counts.rows[0]!;
  return {
    ok: mismatchCount === 0 && (latest === null || (latest.signatureValid && latest.signerTrusted !== false)),
    checked,
    mismatchCount,
    mismatches: rows.map((r) => ({
      seq: r.seq,
      message: r.present
        ? `event ${r.seq} no longer has the hash its signed checkpoint names: the log was rewritten from there`
        : `event ${r.seq} was signed in a checkpoint and is gone: the log was cut`,
    })),
    latest,
  };
}

/**
 * A checkpoint a regulator saved, checked against the log now: its signature, its signer's trust at signing time,
 * and whether the log still holds its head. Proves truncation even when the stored checkpoints were removed too.
 */
export async function verifySavedCheckpoint(
  db: Database,
  checkpoint: SignedCheckpoint,
  trusted: (signer: string, at: number) => Promise<boolean | null>,
): Promise<{ ok: boolean; signatureValid: boolean; signerTrusted: boolean | null; message: string }> {
  const signatureValid = checkpointSignatureValid(checkpoint);
  const signerTrusted = signatureValid ? await trusted(checkpoint.signer, checkpoint.signedAt) : null;
  const event = await db.auditEvent.findUnique({
    where: { seq: BigInt(checkpoint.seq) },
    select: { hash: true },
  });
  const headMatches = event !== null && `0x${Buffer.from(event.hash).toString('hex')}` === checkpoint.head;
  const message = !signatureValid
    ? 'the checkpoint signature does not recover to its signer'
    : signerTrusted === false
      ? `the checkpoint signer ${checkpoint.signer} was not trusted by the gatekeeper when it signed`
      : event === null
        ? `event ${checkpoint.seq} is missing: the log was cut after this checkpoint was signed`
        : !headMatches
          ? `event ${checkpoint.seq} no longer has the signed hash: the log was rewritten`
          : `the log still holds the signed head at event ${checkpoint.seq}`;
  return {
    ok: signatureValid && signerTrusted !== false && headMatches,
    signatureValid,
    signerTrusted,
    message,
  };
}

/** Whether the gatekeeper trusted `signer` for something signed at `at`; null when the chain cannot be asked. */
export function signerTrustOnChain(chain: ChainOperator) {
  return async (signer: string, at: number): Promise<boolean | null> => {
    try {
      const window = await chain.signerWindow(signer);
      return window.validUntil !== 0n && at >= window.validFrom && BigInt(at) <= window.validUntil;
    } catch {
      return null; // reported as "could not be checked", never as trusted
    }
  };
}
