// Groth16 proving for the credential circuit with the committed keys: constraint count, proving time p50/p95 in one
// process (snarkjs with its own worker threads), and proofs per second on a pool of single-threaded prover
// processes, one per core. Prints figures; asserts nothing.
import { availableParallelism } from 'node:os';
import { fork, type ChildProcess } from 'node:child_process';
import * as snarkjs from 'snarkjs';
import { credentialScenario } from '../../test/zk/fixtures.js';
import { artifactPath, loadManifest, witnessInput } from '../../src/zk/index.js';

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

  const size = availableParallelism();
  const workers = Array.from({ length: size }, () =>
    fork(new URL('./zkProver.ts', import.meta.url), { execArgv: ['--import', 'tsx'] }),
  );
  const prove = (worker: ChildProcess) =>
    new Promise<number>((resolve) => {
      worker.once('message', (ms) => resolve(ms as number));
      worker.send(input);
    });
  await Promise.all(workers.map(prove)); // warm-up: load the keys in every worker
  const started = performance.now();
  let done = 0;
  await Promise.all(
    workers.map(async (worker) => {
      while (done < RUNS) {
        done++;
        await prove(worker);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const worker of workers) worker.kill();
  console.log(
    `pool of ${size} single-threaded prover processes: ${RUNS} proofs in ${seconds.toFixed(1)} s = ${(RUNS / seconds).toFixed(2)} proofs/s`,
  );
}
