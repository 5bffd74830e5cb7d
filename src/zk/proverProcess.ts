// One prover of the pool (see proverPool.ts): proves each witness input it is sent with the committed circuit
// artifacts, single-threaded (the pool is the parallelism), and answers with the proof or the error. A child
// process, not a worker thread: snarkjs's web-worker dependency mistakes any worker thread for one of its own.
import * as snarkjs from 'snarkjs';
import { artifactPath } from './artifacts.js';

interface ProveMessage {
  id: number;
  input: Record<string, string | string[]>;
}

process.on('message', async ({ id, input }: ProveMessage) => {
  try {
    const { proof, publicSignals } = await snarkjs.groth16.fullProve(
      input,
      artifactPath('wasm'),
      artifactPath('zkey'),
      undefined,
      undefined,
      { singleThread: true },
    );
    process.send!({ id, proof, publicSignals });
  } catch (error) {
    process.send!({ id, error: (error as Error).message });
  }
});
// The parent going away ends the prover.
process.on('disconnect', () => process.exit(0));
