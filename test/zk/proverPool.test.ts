import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import * as snarkjs from 'snarkjs';
import {
  ProverBusyError,
  ProverPool,
  ProverTimeoutError,
  WitnessRejectedError,
  artifactPath,
  expectedPublicSignals,
  witnessInput,
} from '../../src/zk/index.js';
import { credentialScenario } from './fixtures.js';

describe('prover pool', () => {
  const pool = new ProverPool({ size: 1, maxQueue: 1, timeoutMs: 60_000 });
  after(async () => {
    await pool.close();
    await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
  });

  it('proves in a child process, queues up to its bound and sheds beyond it', async () => {
    const { secret, request } = await credentialScenario();
    const input = witnessInput(secret, request);
    const running = pool.prove(input);
    const queued = pool.prove(input);
    await assert.rejects(pool.prove(input), ProverBusyError);
    assert.deepEqual(pool.load(), { busy: 1, queued: 1 });
    const [first, second] = await Promise.all([running, queued]);
    const vkey = JSON.parse(readFileSync(artifactPath('verificationKey'), 'utf8'));
    assert.equal(await snarkjs.groth16.verify(vkey, first.publicSignals, first.proof), true);
    assert.deepEqual(second.publicSignals, first.publicSignals);
    assert.deepEqual(pool.load(), { busy: 0, queued: 0 });
  });

  it('rejects a witness that breaks a rule, and keeps proving after it with the same warm process', async () => {
    const { secret, request } = await credentialScenario({ country: 408 }); // a denied country
    await assert.rejects(pool.prove(witnessInput(secret, request)), WitnessRejectedError);
    const vkey = JSON.parse(readFileSync(artifactPath('verificationKey'), 'utf8'));
    // Two holders in a row: the calculator and proving key kept between proofs carry nothing from one to the next.
    for (const holder of [await credentialScenario(), await credentialScenario({ country: 250, riskTier: 0 })]) {
      const { proof, publicSignals } = await pool.prove(witnessInput(holder.secret, holder.request));
      assert.equal(await snarkjs.groth16.verify(vkey, publicSignals, proof), true);
      assert.deepEqual(publicSignals.map(BigInt), expectedPublicSignals(holder.secret, holder.request));
    }
  });

  it('abandons a proof that takes longer than its timeout and replaces the prover it killed', async () => {
    const impatient = new ProverPool({ size: 1, maxQueue: 1, timeoutMs: 50 });
    try {
      const { secret, request } = await credentialScenario();
      const input = witnessInput(secret, request);
      await assert.rejects(impatient.prove(input), ProverTimeoutError);
      assert.deepEqual(impatient.load(), { busy: 0, queued: 0 });
      // The next proof gets a fresh prover (and, with a 50 ms budget, the same verdict), not a hang.
      await assert.rejects(impatient.prove(input), ProverTimeoutError);
    } finally {
      await impatient.close();
    }
  });

  it('refuses work once closed', async () => {
    const closed = new ProverPool({ size: 1, maxQueue: 1, timeoutMs: 60_000 });
    await closed.close();
    const { secret, request } = await credentialScenario();
    await assert.rejects(closed.prove(witnessInput(secret, request)), /closed/);
  });
});
