import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { hexlify, randomBytes, recoverAddress } from 'ethers';
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
