import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { hexlify, randomBytes, recoverAddress } from 'ethers';
import { KmsSigner } from '../../src/signers/index.js';
import { startFakeKms, type FakeKms } from '../helpers/fakeKms.js';

const HALF_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n / 2n;

describe('KmsSigner through the real AWS SDK against a KMS-protocol endpoint', () => {
  let kms: FakeKms;
  const config = () => ({
    region: 'eu-central-1',
    endpoint: kms.endpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });

  before(async () => {
    kms = await startFakeKms();
  });
  after(async () => {
    await kms?.stop();
  });

  it("derives the key's Ethereum address from GetPublicKey", async () => {
    const { keyId, address } = kms.createKey();
    const signer = await KmsSigner.connect(keyId, config());
    assert.equal(signer.address, address);
    signer.destroy();
  });

  it('returns low-s signatures that recover to the key, whatever s KMS answers with', async () => {
    const { keyId, address } = kms.createKey();
    const signer = await KmsSigner.connect(keyId, config());
    const before = kms.highSServed;
    const recoveryIds = new Set<number>();
    for (let i = 0; i < 24; i++) {
      const digest = hexlify(randomBytes(32));
      const signature = await signer.signDigest(digest);
      assert.equal(recoverAddress(digest, signature), address);
      assert.ok(BigInt(signature.s) <= HALF_N, 'low s');
      assert.ok(signature.v === 27 || signature.v === 28);
      recoveryIds.add(signature.yParity);
    }
    assert.ok(kms.highSServed > before, 'the endpoint served high-s signatures that had to be normalised');
    assert.deepEqual([...recoveryIds].sort(), [0, 1], 'both recovery ids were picked');
    signer.destroy();
  });

  it('refuses a key that is not secp256k1', async () => {
    const { keyId } = kms.createKey('ECC_NIST_P256');
    await assert.rejects(KmsSigner.connect(keyId, config()), /is ECC_NIST_P256, expected ECC_SECG_P256K1/);
  });

  it('surfaces throttling as the SDK error, with no signature', async () => {
    const { keyId } = kms.createKey();
    const signer = await KmsSigner.connect(keyId, config());
    kms.throttle = true;
    try {
      await assert.rejects(signer.signDigest(hexlify(randomBytes(32))), { name: 'ThrottlingException' });
    } finally {
      kms.throttle = false;
      signer.destroy();
    }
  });

  it("refuses a signature that is not the key's, after one Sign call: it never leaves, and is not retried", async () => {
    const { keyId } = kms.createKey();
    const other = kms.createKey();
    // In front of the endpoint: Sign requests for the key are answered by another key, as a misrouted KMS would.
    const proxy = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      let body = Buffer.concat(chunks).toString('utf8');
      if (req.headers['x-amz-target'] === 'TrentService.Sign') body = body.replace(keyId, other.keyId);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([name]) => !['content-length', 'host'].includes(name)),
      ) as Record<string, string>;
      const answer = await fetch(`${kms.endpoint}${req.url}`, { method: req.method, headers, body });
      res.writeHead(answer.status, {
        'content-type': answer.headers.get('content-type') ?? 'application/json',
      });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const signer = await KmsSigner.connect(keyId, {
      ...config(),
      endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    });
    try {
      const calls = kms.signCalls;
      await assert.rejects(signer.signDigest(hexlify(randomBytes(32))), {
        name: 'SignatureVerificationError',
        message: `aws-kms signer produced a signature that does not recover to ${signer.address}`,
      });
      assert.equal(kms.signCalls, calls + 1);
    } finally {
      signer.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it('fails to connect to an unknown key', async () => {
    await assert.rejects(KmsSigner.connect('no-such-key', config()), { name: 'NotFoundException' });
  });
});
