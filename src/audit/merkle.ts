import { createHash } from 'node:crypto';

/**
 * RFC 6962 / RFC 9162 Merkle trees, as Certificate Transparency uses them: leaf = SHA-256(0x00 ‖ data),
 * node = SHA-256(0x01 ‖ left ‖ right), the left subtree always the largest power of two below n. The distinct
 * prefixes keep a leaf from passing for a node. Audit batches are anchored on-chain as such roots.
 */
const sha256 = (...parts: Uint8Array[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

export const leafHash = (data: Uint8Array): Buffer => sha256(Buffer.from([0]), data);
const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => sha256(Buffer.from([1]), left, right);

/** The largest power of two strictly below n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function rootOfHashes(leaves: Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0]!;
  const k = split(leaves.length);
  return nodeHash(rootOfHashes(leaves.slice(0, k)), rootOfHashes(leaves.slice(k)));
}

/** MTH(D[n]) over the leaves' data; the empty tree's root is SHA-256 of nothing. */
export function merkleRoot(leaves: Uint8Array[]): Buffer {
  return leaves.length === 0 ? sha256() : rootOfHashes(leaves.map(leafHash));
}

/** PATH(m, D[n]): the audit path proving leaf `index` is in the tree of `leaves`. */
export function inclusionProof(leaves: Uint8Array[], index: number): Buffer[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length)
    throw new RangeError(`leaf ${index} is not in a tree of ${leaves.length}`);
  const path = (hashes: Buffer[], m: number): Buffer[] => {
    if (hashes.length === 1) return [];
    const k = split(hashes.length);
    return m < k
      ? [...path(hashes.slice(0, k), m), rootOfHashes(hashes.slice(k))]
      : [...path(hashes.slice(k), m - k), rootOfHashes(hashes.slice(0, k))];
  };
  return path(leaves.map(leafHash), index);
}

/** RFC 9162 §2.1.3.2: whether `proof` shows `leaf` at `index` in a tree of `treeSize` with root `root`. */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  treeSize: number,
  proof: Uint8Array[],
  root: Uint8Array,
): boolean {
  if (index < 0 || index >= treeSize) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leafHash(leaf);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(Buffer.from(root));
}
