import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SigningKey, Wallet, computeAddress, hexlify, randomBytes } from 'ethers';
import { parseDerSignature, toEthereumSignature } from '../../src/signers/index.js';
import { derSignature } from '../helpers/fakeKms.js';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Signs random digests until `accept` holds for the signature, so fixtures cover specific DER shapes. */
function signUntil(key: SigningKey, accept: (r: bigint, s: bigint) => boolean) {
  for (;;) {
    const digest = hexlify(randomBytes(32));
    const sig = key.sign(digest);
    if (accept(BigInt(sig.r), BigInt(sig.s))) return { digest, r: BigInt(sig.r), s: BigInt(sig.s) };
  }
}

describe('DER to Ethereum signatures', () => {
  const key = new SigningKey(Wallet.createRandom().privateKey);
  const address = computeAddress(key.publicKey);

  it('reads a DER signature whose r needs a leading 0x00', () => {
    const { digest, r, s } = signUntil(key, (r) => r >> 255n === 1n);
    const der = derSignature(r, s);
    assert.equal(der[3], 33, 'r is encoded on 33 bytes');
    assert.deepEqual(parseDerSignature(der), { r, s });
    assert.equal(toEthereumSignature(digest, r, s, address).r, `0x${r.toString(16).padStart(64, '0')}`);
  });

  it('normalises a high s to n - s and picks the recovery id that yields the address', () => {
    const { digest, r, s } = signUntil(key, () => true);
    const high = N - s;
    const fromHigh = toEthereumSignature(digest, r, high, address);
    const fromLow = toEthereumSignature(digest, r, s, address);
    assert.equal(fromHigh.serialized, fromLow.serialized);
    assert.ok(BigInt(fromHigh.s) <= N / 2n);
  });

  it('refuses a signature that recovers to another address', () => {
    const { digest, r, s } = signUntil(key, () => true);
    assert.throws(() => toEthereumSignature(digest, r, s, Wallet.createRandom().address), /does not recover/);
  });

  it('rejects malformed DER', () => {
    const { r, s } = signUntil(key, () => true);
    const der = derSignature(r, s);
    assert.throws(() => parseDerSignature(der.subarray(0, der.length - 1)), /length mismatch/);
    assert.throws(() => parseDerSignature(Buffer.concat([der, Buffer.from([0])])), /length mismatch/);
    const wrongTag = Buffer.from(der);
    wrongTag[0] = 0x31;
    assert.throws(() => parseDerSignature(wrongTag), /expected tag 0x30/);
    assert.throws(() => parseDerSignature(derSignature(0n, s)), /out of range/);
  });
});
