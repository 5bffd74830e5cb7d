// Groth16 proving for the credential circuit with the committed keys: constraint count, proving time p50/p95 with
// snarkjs's fullProve from the files in one process, then the service's prover pool (one process per core, what
// custodial groth16 attestations use): latency one proof at a time, and proofs per second with every prover busy.
// CPU time per proof is printed next to wall time: it moves much less with the machine's load. Prints figures;
// asserts nothing.
import { availableParallelism, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
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
    `\nzero-knowledge credential: ${manifest.constraints.toLocaleString('en')} constraints, ${manifest.publicSignals} public signals (load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')})`,
  );

  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await snarkjs.groth16.fullProve(input, artifactPath('wasm'), artifactPath('zkey'));
    times.push(performance.now() - started);
  }
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
  console.log(`snarkjs fullProve from the files, in this process (${RUNS} proofs): ${spread(times)}`);

  // The service's prover pool (custodial groth16 attestations): one process per core.
  const size = availableParallelism();
  const pool = new ProverPool({ size, maxQueue: RUNS, timeoutMs: 120_000 });
  await Promise.all(Array.from({ length: size }, () => pool.prove(input))); // warm-up: every prover starts
  const latencies: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const provers = childCpuMs();
    const started = performance.now();
    await pool.prove(input);
    latencies.push(performance.now() - started);
    cpu.push(childCpuMs() - provers);
  }
  console.log(
    `the service's pool (${size} prover processes), one proof at a time, the custodial path (${RUNS} proofs): ${spread(latencies)}; CPU per proof p50 ${percentile(
      cpu.sort((a, b) => a - b),
      0.5,
    ).toFixed(0)} ms`,
  );
  const started = performance.now();
  await Promise.all(Array.from({ length: RUNS }, () => pool.prove(input)));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  console.log(
    `the same pool with every prover busy: ${RUNS} proofs in ${seconds.toFixed(1)} s = ${(RUNS / seconds).toFixed(2)} proofs/s`,
  );
}

function spread(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 0.5).toFixed(0)} ms, p95 ${percentile(sorted, 0.95).toFixed(0)} ms`;
}

/** CPU time (user + system, every thread) of this process's children so far: the prover processes. */
function childCpuMs(): number {
  let ticks = 0;
  for (const pid of readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').split(' ')) {
    if (!pid.trim()) continue;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / 100; // USER_HZ
}
