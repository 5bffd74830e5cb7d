import { TREE_LEVELS, ZEROS, hashPair } from './credential.js';

export interface NodePosition {
  level: number;
  index: number;
}

export interface TreeNode extends NodePosition {
  hash: bigint;
}

/** A leaf, its siblings bottom-up and the root they lead to, from one state of the tree. */
export interface LeafProof {
  root: bigint;
  leaf: bigint;
  siblings: bigint[];
}

/** Where a tree's non-empty nodes live: a Map for the SDK and tests, PostgreSQL for the service. */
export interface NodeStore {
  /** The stored hashes at `positions`, in order; undefined where a node is empty. One round trip. */
  getMany(positions: NodePosition[]): Promise<(bigint | undefined)[]>;
  put(nodes: TreeNode[]): Promise<void>;
}

export class MemoryNodeStore implements NodeStore {
  private readonly nodes = new Map<string, bigint>();
  async getMany(positions: NodePosition[]) {
    return positions.map(({ level, index }) => this.nodes.get(`${level}:${index}`));
  }
  async put(nodes: TreeNode[]) {
    for (const n of nodes) this.nodes.set(`${n.level}:${n.index}`, n.hash);
  }
}

/** The positions of leaf `index`'s siblings, bottom-up: they depend on the index alone. */
function siblingPositions(index: number): NodePosition[] {
  return Array.from({ length: TREE_LEVELS }, (_, level) => ({ level, index: Math.floor(index / 2 ** level) ^ 1 }));
}

/**
 * A fixed-depth Poseidon Merkle tree where every absent node is the empty subtree's root. The issuance tree fills it
 * left to right (leaf index = credential id); the revocation tree sets a credential's leaf to 1 when it is revoked,
 * so a non-membership proof is the path of a 0 leaf at the credential's index.
 */
export class SparseMerkleTree {
  constructor(private readonly store: NodeStore) {}

  private async nodes(positions: NodePosition[]): Promise<bigint[]> {
    const stored = await this.store.getMany(positions);
    return positions.map(({ level }, i) => stored[i] ?? ZEROS[level]!);
  }

  async root(): Promise<bigint> {
    const [root] = await this.nodes([{ level: TREE_LEVELS, index: 0 }]);
    return root!;
  }

  /** Sets leaf `index` and rehashes its path; returns the new root. */
  async set(index: number, leaf: bigint): Promise<bigint> {
    checkIndex(index);
    const siblings = await this.path(index);
    const changed: TreeNode[] = [{ level: 0, index, hash: leaf }];
    let hash = leaf;
    let position = index;
    siblings.forEach((sibling, level) => {
      hash = position % 2 === 0 ? hashPair(hash, sibling) : hashPair(sibling, hash);
      position = Math.floor(position / 2);
      changed.push({ level: level + 1, index: position, hash });
    });
    await this.store.put(changed);
    return hash;
  }

  /** Leaf `index`, its siblings and the root they lead to, in one read of the store. */
  async proof(index: number): Promise<LeafProof> {
    checkIndex(index);
    const [root, leaf, ...siblings] = await this.nodes([
      { level: TREE_LEVELS, index: 0 },
      { level: 0, index },
      ...siblingPositions(index),
    ]);
    return { root: root!, leaf: leaf!, siblings };
  }

  /** The siblings from leaf `index` up to the root. */
  async path(index: number): Promise<bigint[]> {
    checkIndex(index);
    return this.nodes(siblingPositions(index));
  }
}

function checkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** TREE_LEVELS) {
    throw new Error(`leaf index ${index} is outside the tree (0..${2 ** TREE_LEVELS - 1})`);
  }
}
