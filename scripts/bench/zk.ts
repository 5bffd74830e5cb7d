// Groth16 proving for the credential circuit with the committed keys: constraint count, proving time p50/p95 in one
// process (snarkjs with its own worker threads), and proofs per second on a pool of single-threaded prover
// processes, one per core. Prints figures; asserts nothing.
import { availableParallelism } from 'node:os';
import * as snarkjs from 'snarkjs';
import { credentialScenario } from '../../test/zk/fixtures.js';
import { ProverPool, artifactPath, loadManifest, witnessInput } from '../../src/zk/index.js';

const RUNS = Number(process.env.BENCH_ZK_PROOFS ?? 20);
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

export async function runZkBenchmark(): Promise<void> {
  const { secret, request } = await credentialScenario();
  const input = witnessInput(secret, request);
  const manifest = loadManifest();
  console.log(
    `\nzero-knowledge credential: ${manifest.constraints.toLocaleString('en')} constraints, ${manifest.publicSignals} public signals`,
  );

  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await snarkjs.groth16.fullProve(input, artifactPath('wasm'), artifactPath('zkey'));
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
  console.log(
    `proving in one process (${RUNS} proofs): p50 ${percentile(times, 0.5).toFixed(0)} ms, p95 ${percentile(times, 0.95).toFixed(0)} ms`,
  );

  // The service's prover pool (custodial groth16 attestations): one single-threaded process per core.
  const size = availableParallelism();
  const pool = new ProverPool({ size, maxQueue: RUNS, timeoutMs: 120_000 });
  await Promise.all(Array.from({ length: size }, () => pool.prove(input))); // warm-up: every prover loads the keys
  const started = performance.now();
  await Promise.all(Array.from({ length: RUNS }, () => pool.prove(input)));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  console.log(
    `the service's pool of ${size} single-threaded prover processes: ${RUNS} proofs in ${seconds.toFixed(1)} s = ${(RUNS / seconds).toFixed(2)} proofs/s`,
  );
}
