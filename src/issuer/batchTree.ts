import { keccak256 } from 'ethers';
import { attestationStructHash, type AttestationMessage } from './typedData.js';

/**
 * The leaf of an attestation in a batch: keccak256(structHash), its EIP-712 struct hash hashed once more (as
 * ComplianceGatekeeper.submitBatchedAttestation computes it), so a leaf can never pass for an inner node (64 bytes).
 */
export function attestationLeaf(message: AttestationMessage): string {
  return keccak256(attestationStructHash(message));
}

/** OpenZeppelin's Hashes.commutativeKeccak256: keccak256 of the two nodes, the smaller first. */
function hashPair(a: Buffer, b: Buffer): Buffer {
  const pair = a.compare(b) <= 0 ? Buffer.concat([a, b]) : Buffer.concat([b, a]);
  return Buffer.from(keccak256(pair).slice(2), 'hex');
}

const node = (hex: string): Buffer => {
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new TypeError(`a Merkle node is 32 bytes of hex, got ${hex}`);
  return Buffer.from(hex.slice(2), 'hex');
};
const hexOf = (buffer: Buffer) => `0x${buffer.toString('hex')}`;

export interface BatchTree {
  root: string;
  /** proofs[i]: the siblings of leaf i from the leaf up, for OpenZeppelin's MerkleProof.verify. */
  proofs: string[][];
}

/**
 * The Merkle tree of a batch, leaves in issue order: each level pairs neighbours (i, i + 1) with the sorted-pair
 * hash, and an odd last node is carried up unchanged (contributing nothing to the proofs below it). A batch of one
 * has its leaf as root and an empty proof.
 */
export function buildBatchTree(leaves: string[]): BatchTree {
  if (leaves.length === 0) throw new RangeError('a batch has at least one leaf');
  const proofs: string[][] = leaves.map(() => []);
  // positions[i]: where leaf i's ancestor sits in the current level.
  const positions = leaves.map((_, i) => i);
  let level: Buffer[] = leaves.map(node);
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? hashPair(level[i]!, level[i + 1]!) : level[i]!);
    }
    positions.forEach((position, leaf) => {
      const sibling = position ^ 1;
      if (sibling < level.length) proofs[leaf]!.push(hexOf(level[sibling]!));
      positions[leaf] = position >> 1;
    });
    level = next;
  }
  return { root: hexOf(level[0]!), proofs };
}

/** OpenZeppelin's MerkleProof.verify: folds the proof into the leaf with the sorted-pair hash and compares roots. */
export function verifyBatchProof(leaf: string, proof: readonly string[], root: string): boolean {
  const computed = proof.reduce<Buffer>((acc, sibling) => hashPair(acc, node(sibling)), node(leaf));
  return computed.equals(node(root));
}
