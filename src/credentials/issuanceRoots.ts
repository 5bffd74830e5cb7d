import { ISSUANCE_CLOCK_SKEW_SECONDS } from '../attest/index.js';
import { appendAuditEvents } from '../audit/index.js';
import type { ChainOperator } from '../chain/index.js';
import { inTransaction, withAdvisoryLock, type Database } from '../db/index.js';
import { signIssuanceRoot } from '../issuer/index.js';
import type { AttestationSigner } from '../signers/index.js';

/** One publisher at a time across processes, so issuedAt values stay strictly increasing as the gatekeeper needs. */
const ISSUANCE_PUBLISH_LOCK = 0x7a6b6970; // "zkip"

export interface PublishedIssuanceRoot {
  root: bigint;
  leafCount: number;
  issuedAt: number;
  signer: string;
  txHash: string;
}

interface RootRow {
  root: string;
  leaf_count: number;
  issued_at: string | null;
  signer: string | null;
  signature: string | null;
  tx_hash: string | null;
}

export interface IssuanceRootPublisherOptions {
  db: Database;
  chain: ChainOperator;
  /** The active Custos signer: issuance roots are signed by the keys that sign attestations. */
  signer: () => AttestationSigner;
  chainId: number;
  gatekeeper: string;
  now?: () => Date;
}

/**
 * Puts the newest issuance root on the gatekeeper: signed with EIP-712 `IssuanceRoot(root, issuedAt)` by the active
 * Custos signer, submitted, awaited and audited. Concurrent issuances share one publication: whoever gets the lock
 * publishes the newest root, which holds every leaf committed before it.
 */
export class IssuanceRootPublisher {
  private readonly now: () => Date;

  constructor(private readonly options: IssuanceRootPublisherOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** The newest root, published; undefined before the first credential. */
  async publishLatest(actor = 'system'): Promise<PublishedIssuanceRoot | undefined> {
    const { db } = this.options;
    return withAdvisoryLock(db, ISSUANCE_PUBLISH_LOCK, async () => {
      const { rows } = await db.pool.query<RootRow>(
        `SELECT root, leaf_count, issued_at, signer, signature, tx_hash
           FROM zk_issuance_roots ORDER BY leaf_count DESC LIMIT 1`,
      );
      const latest = rows[0];
      if (!latest) return undefined;
      if (latest.tx_hash === null) await this.publish(latest, actor);
      return published(latest);
    });
  }

  /** Signs (once: a publication cut short is sent again with the same signature), submits and records `row`. */
  private async publish(row: RootRow, actor: string): Promise<void> {
    const { db, chain } = this.options;
    const root = BigInt(row.root);
    if (row.signature === null) {
      const signer = this.options.signer();
      const { rows } = await db.pool.query<{ last: string | null }>(
        'SELECT max(issued_at) AS last FROM zk_issuance_roots',
      );
      // Dated in the past like attestations (block times trail the clock), and always after the last root.
      const nowSeconds = Math.floor(this.now().getTime() / 1000) - ISSUANCE_CLOCK_SKEW_SECONDS;
      const issuedAt = Math.max(nowSeconds, Number(rows[0]!.last ?? 0) + 1);
      row.signature = await signIssuanceRoot({
        signer,
        chainId: this.options.chainId,
        gatekeeper: this.options.gatekeeper,
        root,
        issuedAt,
      });
      row.issued_at = String(issuedAt);
      row.signer = signer.address;
      await db.pool.query(
        'UPDATE zk_issuance_roots SET issued_at = $2, signer = $3, signature = $4 WHERE root = $1',
        [row.root, issuedAt, row.signer, row.signature],
      );
    }
    const onChain = await chain.isRecentIssuanceRoot(root);
    const receipt = onChain
      ? null
      : await chain.submitIssuanceRoot(root, Number(row.issued_at), row.signature);
    row.tx_hash = receipt?.txHash ?? 'already-on-chain';
    await inTransaction(db, async (client) => {
      await client.query('UPDATE zk_issuance_roots SET tx_hash = $2 WHERE root = $1', [
        row.root,
        row.tx_hash,
      ]);
      await appendAuditEvents(client, [
        {
          type: 'credential.root_published',
          actor,
          payload: {
            root: row.root,
            leafCount: row.leaf_count,
            issuedAt: Number(row.issued_at),
            signer: row.signer,
            txHash: row.tx_hash,
            blockNumber: receipt?.blockNumber ?? null,
          },
        },
      ]);
    });
  }
}

function published(row: RootRow): PublishedIssuanceRoot {
  return {
    root: BigInt(row.root),
    leafCount: row.leaf_count,
    issuedAt: Number(row.issued_at),
    signer: row.signer!,
    txHash: row.tx_hash!,
  };
}
