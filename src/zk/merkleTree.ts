import { TREE_LEVELS, ZEROS, hashPair } from './credential.js';

export interface TreeNode {
  level: number;
  index: number;
  hash: bigint;
}

/** Where a tree's non-empty nodes live: a Map for the SDK and tests, PostgreSQL for the service. */
export interface NodeStore {
  get(level: number, index: number): Promise<bigint | undefined>;
  put(nodes: TreeNode[]): Promise<void>;
}

export class MemoryNodeStore implements NodeStore {
  private readonly nodes = new Map<string, bigint>();
  async get(level: number, index: number) {
    return this.nodes.get(`${level}:${index}`);
  }
  async put(nodes: TreeNode[]) {
    for (const n of nodes) this.nodes.set(`${n.level}:${n.index}`, n.hash);
  }
}

/**
 * A fixed-depth Poseidon Merkle tree where every absent node is the empty subtree's root. The issuance tree fills it
 * left to right (leaf index = credential id); the revocation tree sets a credential's leaf to 1 when it is revoked,
 * so a non-membership proof is the path of a 0 leaf at the credential's index.
 */
export class SparseMerkleTree {
  constructor(private readonly store: NodeStore) {}

  private async node(level: number, index: number): Promise<bigint> {
    return (await this.store.get(level, index)) ?? ZEROS[level]!;
  }

  async root(): Promise<bigint> {
    return this.node(TREE_LEVELS, 0);
  }

  /** Sets leaf `index` and rehashes its path; returns the new root. */
  async set(index: number, leaf: bigint): Promise<bigint> {
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** TREE_LEVELS) {
      throw new Error(`leaf index ${index} is outside the tree (0..${2 ** TREE_LEVELS - 1})`);
    }
    const changed: TreeNode[] = [{ level: 0, index, hash: leaf }];
    let hash = leaf;
    let position = index;
    for (let level = 0; level < TREE_LEVELS; level++) {
      const sibling = await this.node(level, position ^ 1);
      hash = position % 2 === 0 ? hashPair(hash, sibling) : hashPair(sibling, hash);
      position = Math.floor(position / 2);
      changed.push({ level: level + 1, index: position, hash });
    }
    await this.store.put(changed);
    return hash;
  }

  async leaf(index: number): Promise<bigint> {
    return this.node(0, index);
  }

  /** The siblings from leaf `index` up to the root. */
  async path(index: number): Promise<bigint[]> {
    const siblings: bigint[] = [];
    let position = index;
    for (let level = 0; level < TREE_LEVELS; level++) {
      siblings.push(await this.node(level, position ^ 1));
      position = Math.floor(position / 2);
    }
    return siblings;
  }
}
