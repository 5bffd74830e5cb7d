import type { ChainOperator } from '../chain/index.js';
import { inTransaction, type Database } from '../db/index.js';
import { CustosError, withDatabase } from '../errors/index.js';
import type { IssuanceRootPublisher } from './issuanceRoots.js';
import type { RevocationRootPublisher } from './revocationRoots.js';
import type { LeafProof, PathJson } from '../zk/index.js';
import { readPath } from './trees.js';

/** A Merkle path for the circuit: the root it leads to (decimal) and the siblings bottom-up (decimal). */
export interface CredentialPath extends PathJson {
  credentialId: number;
}

export interface RevocationPath extends CredentialPath {
  /** The registry epoch whose root this path leads to. */
  epoch: number;
}

/** A path whose root is not on-chain yet is read again after publishing it, at most this many times. */
const ATTEMPTS = 3;

/**
 * The two paths a holder needs to prove a credential, each leading to a root the gatekeeper accepts right now:
 * the issuance path to a published issuance root, the revocation path (a 0 leaf: not revoked) to the registry's
 * current revocation root. A root not yet published is published first, so a path is never one the chain refuses.
 */
export class CredentialPaths {
  constructor(
    private readonly db: Database,
    private readonly chain: ChainOperator,
    private readonly issuanceRoots: IssuanceRootPublisher,
    private readonly revocationRoots: RevocationRootPublisher,
  ) {}

  async issuance(credentialId: number): Promise<CredentialPath> {
    await this.requireCredential(credentialId);
    for (let attempt = 1; ; attempt++) {
      const path = await this.read('issuance', credentialId);
      const { rows } = await this.db.pool.query<{ tx_hash: string | null }>(
        'SELECT tx_hash FROM zk_issuance_roots WHERE root = $1',
        [path.root.toString()],
      );
      if (rows[0]?.tx_hash) return pathOf(credentialId, path);
      if (attempt === ATTEMPTS) throw notPublished('issuance');
      await this.issuanceRoots.publishLatest();
    }
  }

  async revocation(credentialId: number): Promise<RevocationPath> {
    await this.requireCredential(credentialId);
    for (let attempt = 1; ; attempt++) {
      const path = await this.read('revocation', credentialId);
      if (path.leaf !== 0n) {
        throw new CustosError('CREDENTIAL_UNUSABLE', `credential ${credentialId} is revoked`);
      }
      const current = await this.chain.revocationRoot();
      if (current.root === path.root) return { ...pathOf(credentialId, path), epoch: current.epoch };
      if (attempt === ATTEMPTS) throw notPublished('revocation');
      await this.revocationRoots.publish();
    }
  }

  private read(tree: 'issuance' | 'revocation', credentialId: number): Promise<LeafProof> {
    return withDatabase(() => inTransaction(this.db, (client) => readPath(client, tree, credentialId)));
  }

  private async requireCredential(credentialId: number): Promise<void> {
    const { rowCount } = await withDatabase(() =>
      this.db.pool.query('SELECT 1 FROM zk_credentials WHERE id = $1', [credentialId]),
    );
    if (!rowCount) throw new CustosError('NOT_FOUND', `credential ${credentialId} not found`);
  }
}

function pathOf(credentialId: number, path: LeafProof): CredentialPath {
  return { credentialId, root: path.root.toString(), siblings: path.siblings.map(String) };
}

/** Roots kept changing under us: the next request will find them settled. */
function notPublished(tree: string): CustosError {
  return new CustosError('CHAIN_UNAVAILABLE', `the ${tree} root is still being published; retry shortly`);
}
