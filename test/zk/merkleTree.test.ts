import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_TREE_ROOT, MemoryNodeStore, SparseMerkleTree, rootFromPath } from '../../src/zk/index.js';

describe('sparse Merkle tree', () => {
  it("proves a leaf with the siblings the circuit hashes up to the tree's root", async () => {
    const tree = new SparseMerkleTree(new MemoryNodeStore());
    assert.equal(await tree.root(), EMPTY_TREE_ROOT);
    for (const [index, leaf] of [[0, 11n], [5, 55n], [1_048_575, 99n]] as const) await tree.set(index, leaf);
    for (const index of [0, 5, 6, 1_048_575]) {
      const proof = await tree.proof(index);
      assert.equal(proof.root, await tree.root());
      assert.deepEqual(proof.siblings, await tree.path(index));
      assert.equal(rootFromPath(proof.leaf, index, proof.siblings), proof.root, `leaf ${index}`);
    }
    assert.equal((await tree.proof(5)).leaf, 55n);
    assert.equal((await tree.proof(6)).leaf, 0n, 'an absent leaf is 0: a non-membership proof');
    await assert.rejects(tree.proof(2 ** 20), /outside the tree/);
  });
});
