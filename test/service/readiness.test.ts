import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Readiness } from '../../src/api/index.js';
import { KmsSigner } from '../../src/signers/index.js';
import { startFakeKms, type FakeKms } from '../helpers/fakeKms.js';

/**
 * /readyz's signer check against the KMS protocol endpoint: the real AWS SDK and KmsSigner, DescribeKey counted at
 * the endpoint, a clock the test moves.
 */
describe('readiness: the signer check is cached', () => {
  let kms: FakeKms;
  let signer: KmsSigner;
  let rotated: KmsSigner;
  let now = 1_000_000;
  const describeKeys = () => kms.requests.DescribeKey ?? 0;

  before(async () => {
    kms = await startFakeKms();
    const config = {
      region: 'eu-central-1',
      endpoint: kms.endpoint,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    };
    signer = await KmsSigner.connect(kms.createKey().keyId, config);
    rotated = await KmsSigner.connect(kms.createKey().keyId, config);
  });
  after(async () => {
    signer?.destroy();
    rotated?.destroy();
    await kms?.stop();
  });

  it('one DescribeKey for many probes within the cache time, concurrent ones included; another after it', async () => {
    const readiness = new Readiness(60_000, () => now);
    const before = describeKeys();
    await Promise.all(Array.from({ length: 10 }, () => readiness.checkSigner(signer)));
    for (let i = 0; i < 10; i++) await readiness.checkSigner(signer);
    now += 59_999;
    await readiness.checkSigner(signer);
    assert.equal(describeKeys() - before, 1);
    now += 1;
    await readiness.checkSigner(signer);
    assert.equal(describeKeys() - before, 2);
  });

  it('a failure is not cached: the next probe asks again, and sees the recovery', async () => {
    const readiness = new Readiness(60_000, () => now);
    const counts = [describeKeys()];
    kms.throttle = true;
    try {
      await assert.rejects(readiness.checkSigner(signer), /Rate exceeded/);
      counts.push(describeKeys());
      await assert.rejects(readiness.checkSigner(signer), /Rate exceeded/);
      counts.push(describeKeys());
    } finally {
      kms.throttle = false;
    }
    await readiness.checkSigner(signer);
    counts.push(describeKeys());
    await readiness.checkSigner(signer);
    counts.push(describeKeys());
    // Each failed probe reached KMS (the SDK retries throttling on its own), the recovery took one call, then cached.
    const [start, first, second, recovered, cached] = counts as [number, number, number, number, number];
    assert.ok(first > start && second > first, counts.join(' '));
    assert.equal(recovered, second + 1);
    assert.equal(cached, recovered);
  });

  it('a rotated signer is checked afresh; with a cache time of 0 every probe asks', async () => {
    const readiness = new Readiness(60_000, () => now);
    const before = describeKeys();
    await readiness.checkSigner(signer);
    await readiness.checkSigner(rotated);
    assert.equal(describeKeys() - before, 2);
    const uncached = new Readiness(0, () => now);
    for (let i = 0; i < 5; i++) await uncached.checkSigner(signer);
    assert.equal(describeKeys() - before, 7);
  });

  it('shutting down is reported from the moment it starts', () => {
    const readiness = new Readiness(60_000);
    assert.equal(readiness.shuttingDown, false);
    readiness.shutDown();
    assert.equal(readiness.shuttingDown, true);
  });
});
