import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { inclusionProof, merkleRoot, verifyInclusion } from '../../src/audit/index.js';

// Certificate Transparency's reference vectors (RFC 6962 test data, as shipped with the CT and Trillian sources).
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((h) => Buffer.from(h, 'hex'));
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const PATHS: [number, number, string[]][] = [
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];

describe('RFC 6962 Merkle trees', () => {
  it('reproduces the CT reference roots for every size from 1 to 8 (and the empty tree)', () => {
    assert.equal(
      merkleRoot([]).toString('hex'),
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    ROOTS.forEach((root, i) =>
      assert.equal(merkleRoot(LEAVES.slice(0, i + 1)).toString('hex'), root, `size ${i + 1}`),
    );
  });

  it('reproduces the CT reference audit paths', () => {
    for (const [index, size, path] of PATHS) {
      assert.deepEqual(
        inclusionProof(LEAVES.slice(0, size), index).map((h) => h.toString('hex')),
        path,
      );
    }
  });

  // The tree size is not part of what an inclusion proof authenticates (RFC 9162): it comes from the anchored batch.
  it('verifies every leaf of trees of every size up to 33, and refuses a wrong leaf, index or root', () => {
    for (let size = 1; size <= 33; size++) {
      const leaves = Array.from({ length: size }, () => randomBytes(32));
      const root = merkleRoot(leaves);
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(leaves, index);
        assert.ok(verifyInclusion(leaves[index]!, index, size, proof, root), `${index} of ${size}`);
        assert.ok(!verifyInclusion(randomBytes(32), index, size, proof, root), 'another leaf');
        if (size > 1)
          assert.ok(!verifyInclusion(leaves[index]!, (index + 1) % size, size, proof, root), 'another index');
        assert.ok(!verifyInclusion(leaves[index]!, index, size, proof, randomBytes(32)), 'another root');
      }
    }
  });

  it('refuses to prove a leaf that is not in the tree', () => {
    assert.throws(() => inclusionProof(LEAVES, 8), RangeError);
    assert.ok(!verifyInclusion(LEAVES[0]!, 8, 8, [], Buffer.from(ROOTS[7]!, 'hex')));
  });
});
