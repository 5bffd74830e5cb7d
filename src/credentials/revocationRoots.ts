import { toBeHex } from 'ethers';
import { appendAuditEvents } from '../audit/index.js';
import type { ChainOperator } from '../chain/index.js';
import { inTransaction, withAdvisoryLock, type Database } from '../db/index.js';
import { lockTreeForRead } from './trees.js';

/** One publisher at a time across processes (the registry's epoch check would refuse the loser anyway). */
const REVOCATION_PUBLISH_LOCK = 0x7a6b7270; // "zkrp"

export interface RevocationRootPublication {
  epoch: number;
  root: string;
  /** Null when the chain already had this root. */
  txHash: string | null;
  blockNumber: number | null;
  /** Credentials whose revocation this root made effective. */
  credentialIds: number[];
}

/**
 * Brings the registry's revocation root up to the database's revocation tree: publishes the tree's root with the
 * registry's current epoch as the expected one, waits for it, records it in `revocation_roots` (what
 * reconciliation checks on-chain roots against) and marks the credentials it revokes with its epoch.
 * Running it when nothing changed does nothing, so start-up runs it to publish the first (empty) root and to finish
 * a publication a crash cut short.
 */
export class RevocationRootPublisher {
  constructor(
    private readonly db: Database,
    private readonly chain: ChainOperator,
  ) {}

  async publish(actor = 'system'): Promise<RevocationRootPublication> {
    return withAdvisoryLock(this.db, REVOCATION_PUBLISH_LOCK, async () => {
      const { root, pending } = await inTransaction(this.db, async (client) => {
        const tree = await lockTreeForRead(client, 'revocation');
        const { rows } = await client.query<{ id: number }>(
          `SELECT id FROM zk_credentials WHERE status = 'revoked' AND revocation_epoch IS NULL ORDER BY id`,
        );
        return { root: await tree.root(), pending: rows.map((r) => r.id) };
      });
      const current = await this.chain.revocationRoot();
      const receipt =
        current.root === root ? null : await this.chain.publishRevocationRoot(root, current.epoch);
      const publication: RevocationRootPublication = {
        epoch: receipt ? current.epoch + 1 : current.epoch,
        root: toBeHex(root, 32),
        txHash: receipt?.txHash ?? null,
        blockNumber: receipt?.blockNumber ?? null,
        credentialIds: pending,
      };
      if (receipt || pending.length > 0) await this.record(publication, actor);
      return publication;
    });
  }

  private async record(publication: RevocationRootPublication, actor: string): Promise<void> {
    await inTransaction(this.db, async (client) => {
      await client.query(
        `INSERT INTO revocation_roots (epoch, root, tx_hash) VALUES ($1, $2, $3) ON CONFLICT (epoch) DO NOTHING`,
        [publication.epoch, publication.root, publication.txHash],
      );
      await client.query('UPDATE zk_credentials SET revocation_epoch = $1 WHERE id = ANY($2::int[])', [
        publication.epoch,
        publication.credentialIds,
      ]);
      await appendAuditEvents(client, [
        { type: 'revocation_root.published', actor, payload: { ...publication } },
      ]);
    });
  }
}
