import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SigningKey, Wallet, computeAddress, getBytes, hexlify, randomBytes, recoverAddress } from 'ethers';
import { parseDerSignature, serializeSignature, toEthereumSignature } from '../../src/signers/index.js';
import {
  UnrecoverableSignatureError,
  signDigestWith,
  signRecoverably,
  uncompressedPublicKey,
} from '../../src/signers/secp256k1.js';
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

const publicKeyOf = (key: SigningKey) => getBytes(key.publicKey);

/** A valid private key (1 ≤ k < n) and a digest, both as 0x hex. */
const keyAndDigest = fc.record({
  privateKey: fc.bigInt({ min: 1n, max: N - 1n }).map((k) => `0x${k.toString(16).padStart(64, '0')}`),
  digest: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(hexlify),
});

describe('native secp256k1 (libsecp256k1) against ethers', () => {
  it('signs exactly as ethers SigningKey.sign does (RFC 6979, low s, same v), recovering to the address', () => {
    const recoveryIds = new Set<number>();
    fc.assert(
      fc.property(keyAndDigest, ({ privateKey, digest }) => {
        const expected = new SigningKey(privateKey).sign(digest);
        const signature = signDigestWith(getBytes(privateKey), digest);
        assert.equal(signature.serialized, expected.serialized);
        assert.equal(serializeSignature(signature), expected.serialized);
        assert.equal(recoverAddress(digest, signature), computeAddress(privateKey));
        assert.ok(BigInt(signature.s) <= N / 2n, 'low s');
        recoveryIds.add(signature.yParity);
      }),
      { seed: 0x5ec9, numRuns: 300 },
    );
    assert.deepEqual([...recoveryIds].sort(), [0, 1], 'both recovery ids were produced');
  });

  it('turns an HSM/KMS (r, s), low or high s, into the signature ethers makes, with both recovery ids', () => {
    const recoveryIds = new Set<number>();
    fc.assert(
      fc.property(keyAndDigest, fc.boolean(), ({ privateKey, digest }, flipS) => {
        const key = new SigningKey(privateKey);
        const expected = key.sign(digest);
        const s = flipS ? N - BigInt(expected.s) : BigInt(expected.s);
        const signature = toEthereumSignature(digest, BigInt(expected.r), s, publicKeyOf(key));
        assert.equal(signature.serialized, expected.serialized);
        assert.equal(recoverAddress(digest, signature), computeAddress(privateKey));
        recoveryIds.add(signature.yParity);
      }),
      { seed: 0xd5a, numRuns: 300 },
    );
    assert.deepEqual([...recoveryIds].sort(), [0, 1], 'both recovery ids were picked');
  });

  it('refuses an (r, s) that is not a signature by the key: another key, another digest, a changed r or s', () => {
    fc.assert(
      fc.property(keyAndDigest, fc.integer({ min: 0, max: 3 }), ({ privateKey, digest }, tamper) => {
        const key = new SigningKey(privateKey);
        const { r, s } = key.sign(digest);
        const [R, S] = [BigInt(r), BigInt(s)];
        const cases: [string, bigint, bigint, Uint8Array][] = [
          [digest, R, S, publicKeyOf(new SigningKey(Wallet.createRandom().privateKey))],
          [hexlify(randomBytes(32)), R, S, publicKeyOf(key)],
          [digest, R === N - 1n ? 1n : R + 1n, S, publicKeyOf(key)],
          [digest, R, S === N - 1n ? 1n : S + 1n, publicKeyOf(key)],
        ];
        const [d, badR, badS, publicKey] = cases[tamper]!;
        assert.throws(() => toEthereumSignature(d, badR, badS, publicKey), UnrecoverableSignatureError);
      }),
      { seed: 0xbad, numRuns: 200 },
    );
  });

  it('refuses r or s of 0 or at least n, and a malformed digest', () => {
    const key = new SigningKey(Wallet.createRandom().privateKey);
    const { digest, r, s } = signUntil(key, () => true);
    for (const [badR, badS] of [
      [0n, s],
      [r, 0n],
      [N, s],
      [r, N],
      [r, N + s],
    ]) {
      assert.throws(
        () => toEthereumSignature(digest, badR!, badS!, publicKeyOf(key)),
        /r or s is out of range/,
      );
    }
    assert.throws(() => toEthereumSignature(digest.slice(0, 40), r, s, publicKeyOf(key)), /64 hex digits/);
    assert.throws(() => signDigestWith(getBytes(key.privateKey), `${digest.slice(0, 65)}z`), /64 hex digits/);
  });

  it('reads compressed and uncompressed public keys alike, and refuses a point off the curve', () => {
    const key = new SigningKey(Wallet.createRandom().privateKey);
    assert.deepEqual(uncompressedPublicKey(getBytes(key.compressedPublicKey)), publicKeyOf(key));
    assert.deepEqual(uncompressedPublicKey(publicKeyOf(key)), publicKeyOf(key));
    const offCurve = publicKeyOf(key);
    offCurve[64] = offCurve[64]! ^ 1;
    assert.throws(() => uncompressedPublicKey(offCurve));
  });
});

describe('signRecoverably: what an HSM or KMS answers is checked before it leaves', () => {
  const key = new SigningKey(Wallet.createRandom().privateKey);
  const backendKey = {
    backend: 'pkcs11' as const,
    address: computeAddress(key.publicKey),
    publicKey: publicKeyOf(key),
  };

  /** A backend answering with bad signatures for its first `bad` calls, then good ones. */
  function backend(digest: string, bad: number) {
    const { r, s } = key.sign(digest);
    const calls = { count: 0 };
    const sign = async () => {
      calls.count++;
      return { r: calls.count <= bad ? BigInt(r) ^ 1n : BigInt(r), s: N - BigInt(s) };
    };
    return { sign, calls };
  }

  it('retries a bad signature and returns the first good one, normalised', async () => {
    const digest = hexlify(randomBytes(32));
    const { sign, calls } = backend(digest, 2);
    const signature = await signRecoverably(backendKey, digest, sign, 3);
    assert.equal(calls.count, 3);
    assert.equal(signature.serialized, key.sign(digest).serialized);
  });

  it('gives up after the attempts with SignatureVerificationError naming the backend and address', async () => {
    const digest = hexlify(randomBytes(32));
    const { sign, calls } = backend(digest, 3);
    await assert.rejects(signRecoverably(backendKey, digest, sign, 3), (error: Error) => {
      assert.equal(error.name, 'SignatureVerificationError');
      assert.match(error.message, new RegExp(`pkcs11 signer .* ${backendKey.address}`));
      assert.ok(error.cause instanceof UnrecoverableSignatureError);
      return true;
    });
    assert.equal(calls.count, 3);
  });

  it("does not retry the backend's own failure", async () => {
    let calls = 0;
    const failing = async (): Promise<{ r: bigint; s: bigint }> => {
      calls++;
      throw new Error('CKR_DEVICE_ERROR');
    };
    await assert.rejects(
      signRecoverably(backendKey, hexlify(randomBytes(32)), failing, 3),
      /CKR_DEVICE_ERROR/,
    );
    assert.equal(calls, 1);
  });
});

describe('DER to Ethereum signatures', () => {
  const key = new SigningKey(Wallet.createRandom().privateKey);

  it('reads a DER signature whose r needs a leading 0x00', () => {
    const { digest, r, s } = signUntil(key, (r) => r >> 255n === 1n);
    const der = derSignature(r, s);
    assert.equal(der[3], 33, 'r is encoded on 33 bytes');
    assert.deepEqual(parseDerSignature(der), { r, s });
    assert.equal(
      toEthereumSignature(digest, r, s, publicKeyOf(key)).r,
      `0x${r.toString(16).padStart(64, '0')}`,
    );
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
