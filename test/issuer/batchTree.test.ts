import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { TypedDataEncoder, Wallet, concat, keccak256, verifyTypedData } from 'ethers';
import {
  ATTESTATION_BATCH_TYPES,
  ATTESTATION_TYPES,
  attestationBatchDigest,
  attestationLeaf,
  buildBatchTree,
  custosDomain,
  issueBatch,
  verifyBatchProof,
  type AttestationMessage,
} from '../../src/issuer/index.js';
import type { AttestationSigner } from '../../src/signers/index.js';

const random32 = () => `0x${randomBytes(32).toString('hex')}`;

/** OpenZeppelin's MerkleProof.processProof, written from its documentation with ethers only (not the code under test). */
function ozProcessProof(leaf: string, proof: string[]): string {
  return proof.reduce((node, sibling) => {
    const [a, b] = BigInt(node) <= BigInt(sibling) ? [node, sibling] : [sibling, node];
    return keccak256(concat([a, b]));
  }, leaf);
}

const message = (): AttestationMessage => ({
  uid: random32(),
  subject: Wallet.createRandom().address,
  policyId: random32(),
  issuedAt: 1_700_000_000,
  expiresAt: 1_700_086_400,
});

describe('batch Merkle tree', () => {
  it("a leaf is keccak256 of the attestation's EIP-712 struct hash (ethers)", () => {
    const m = message();
    const structHash = TypedDataEncoder.from(ATTESTATION_TYPES).hash(m);
    assert.equal(attestationLeaf(m), keccak256(structHash));
  });

  it('every proof of batches of 1 to 40 leaves, and of 256, leads to the root under OpenZeppelin’s rule', () => {
    for (const size of [...Array.from({ length: 40 }, (_, i) => i + 1), 256]) {
      const leaves = Array.from({ length: size }, random32);
      const { root, proofs } = buildBatchTree(leaves);
      assert.equal(proofs.length, size);
      leaves.forEach((leaf, i) => {
        assert.equal(ozProcessProof(leaf, proofs[i]!), root, `size ${size}, leaf ${i}`);
        assert.ok(verifyBatchProof(leaf, proofs[i]!, root));
      });
      // Depth: no proof is longer than ceil(log2(size)).
      assert.ok(
        proofs.every((p) => p.length <= Math.ceil(Math.log2(size))),
        `size ${size}`,
      );
    }
  });

  it('a batch of one has its leaf as root and an empty proof', () => {
    const leaf = random32();
    assert.deepEqual(buildBatchTree([leaf]), { root: leaf, proofs: [[]] });
  });

  it('an odd last leaf is carried up: three leaves give root = h(h(l0, l1), l2)', () => {
    const leaves = [random32(), random32(), random32()];
    const pair = (a: string, b: string) => ozProcessProof(a, [b]);
    const { root, proofs } = buildBatchTree(leaves);
    assert.equal(root, pair(pair(leaves[0]!, leaves[1]!), leaves[2]!));
    assert.deepEqual(proofs[2], [pair(leaves[0]!, leaves[1]!)]);
  });

  it('refuses a tampered proof, another leaf’s proof, another root and an inner node as a leaf', () => {
    const leaves = Array.from({ length: 9 }, random32);
    const { root, proofs } = buildBatchTree(leaves);
    const tampered = [...proofs[4]!];
    tampered[0] = random32();
    assert.equal(verifyBatchProof(leaves[4]!, tampered, root), false);
    assert.equal(verifyBatchProof(leaves[4]!, proofs[5]!, root), false);
    assert.equal(verifyBatchProof(leaves[4]!, proofs[4]!, random32()), false);
    assert.equal(verifyBatchProof(leaves[4]!, proofs[4]!.slice(1), root), false);
    // The parent of leaves 0 and 1 with the rest of leaf 0's path also reaches the root: this is why leaves are
    // double-hashed (a struct hash can never be such a node's preimage), and why the contract hashes the leaf itself.
    const inner = ozProcessProof(leaves[0]!, [proofs[0]![0]!]);
    assert.ok(verifyBatchProof(inner, proofs[0]!.slice(1), root));
  });

  it('refuses no leaves and malformed nodes', () => {
    assert.throws(() => buildBatchTree([]), RangeError);
    assert.throws(() => buildBatchTree(['0x1234']), TypeError);
  });

  it("issueBatch signs the root once with EIP-712 AttestationBatch(root) in the gatekeeper's domain", async () => {
    const wallet = Wallet.createRandom();
    let signatures = 0;
    const signer: AttestationSigner = {
      backend: 'local',
      address: wallet.address,
      ping: async () => {},
      signDigest: async (digest) => {
        signatures++;
        return wallet.signingKey.sign(digest);
      },
    };
    const chain = { chainId: 31337, gatekeeper: Wallet.createRandom().address };
    const records = Array.from({ length: 5 }, (_, i) => ({
      subject: Wallet.createRandom().address,
      policy: 'kyc-basic',
      issuedAt: 1_700_000_000 + i,
      expiresAt: 1_700_086_400,
    }));
    const issued = await issueBatch(signer, chain, records);
    assert.equal(signatures, 1);
    const domain = custosDomain(chain.chainId, chain.gatekeeper);
    const [first] = issued;
    assert.equal(
      attestationBatchDigest(domain, first!.batch.root),
      TypedDataEncoder.hash(domain, ATTESTATION_BATCH_TYPES, { root: first!.batch.root }),
    );
    assert.equal(
      verifyTypedData(domain, ATTESTATION_BATCH_TYPES, { root: first!.batch.root }, first!.batch.signature),
      wallet.address,
    );
    issued.forEach((a, i) => {
      assert.equal(a.format, 'eip712-batch');
      assert.equal(a.subject, records[i]!.subject);
      assert.equal(a.batch.size, 5);
      assert.equal(a.batch.root, first!.batch.root);
      assert.equal(ozProcessProof(attestationLeaf(a.message), a.batch.proof), a.batch.root);
    });
    assert.equal(new Set(issued.map((a) => a.uid)).size, 5);
  });
});
