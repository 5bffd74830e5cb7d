import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Wallet, hexlify, randomBytes, recoverAddress } from 'ethers';
import { LocalSigner } from '../../src/signers/index.js';

describe('LocalSigner', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'custos-keystore-')), 'dev-signer.json');
  const warnings: string[] = [];

  it('creates an encrypted keystore, warns, and signs digests that recover to its address', async () => {
    const signer = await LocalSigner.open(file, 'correct horse', (m) => warnings.push(m));
    assert.match(warnings[0]!, /Development only/);
    const digest = hexlify(randomBytes(32));
    assert.equal(recoverAddress(digest, await signer.signDigest(digest)), signer.address);
  });

  it("signs with libsecp256k1 exactly what ethers signs with the keystore's key (low s, both recovery ids)", async () => {
    const signer = await LocalSigner.open(file, 'correct horse', () => {});
    const wallet = await Wallet.fromEncryptedJson(readFileSync(file, 'utf8'), 'correct horse');
    const recoveryIds = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const digest = hexlify(randomBytes(32));
      const signature = await signer.signDigest(digest);
      assert.equal(signature.serialized, wallet.signingKey.sign(digest).serialized);
      assert.equal(recoverAddress(digest, signature), signer.address);
      recoveryIds.add(signature.yParity);
    }
    assert.deepEqual([...recoveryIds].sort(), [0, 1]);
  });

  it('reopens the same key with the password, and refuses a wrong one', async () => {
    const first = await LocalSigner.open(file, 'correct horse', () => {});
    const again = await LocalSigner.open(file, 'correct horse', () => {});
    assert.equal(again.address, first.address);
    await assert.rejects(
      LocalSigner.open(file, 'wrong', () => {}),
      /keystore .* cannot be opened: incorrect password/,
    );
  });
});
