// The issuance and revocation trees in PostgreSQL. Writers hold a transaction-scoped advisory lock per tree, so
// appends and revocations from every process apply one at a time; readers take the same lock shared, so a root and
// a path always come from one state of the tree.
import type pg from 'pg';
import { SparseMerkleTree, type LeafProof } from '../zk/index.js';
import { PgNodeStore, type TreeName } from './pgNodeStore.js';

const TREE_LOCKS: Record<TreeName, number> = {
  issuance: 0x7a6b6974, // "zkit"
  revocation: 0x7a6b7274, // "zkrt"
};

/** Opens `tree` on `client` for writing: call inside a transaction; the lock is held until it ends. */
export async function lockTreeForWrite(client: pg.ClientBase, tree: TreeName): Promise<SparseMerkleTree> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [TREE_LOCKS[tree]]);
  return new SparseMerkleTree(new PgNodeStore(client, tree));
}

/** Opens `tree` on `client` for consistent reads: call inside a transaction. */
export async function lockTreeForRead(client: pg.ClientBase, tree: TreeName): Promise<SparseMerkleTree> {
  await client.query('SELECT pg_advisory_xact_lock_shared($1)', [TREE_LOCKS[tree]]);
  return new SparseMerkleTree(new PgNodeStore(client, tree));
}

/** A leaf's path and the root it leads to, read from one state of the tree. */
export async function readPath(client: pg.ClientBase, tree: TreeName, index: number): Promise<LeafProof> {
  return (await lockTreeForRead(client, tree)).proof(index);
}
