// One prover of the pool (see proverPool.ts): proves each witness input it is sent with the committed circuit
// artifacts and answers with the proof or the error. A child process, not a worker thread: snarkjs's web-worker
// dependency mistakes any worker thread for one of its own.
//
// Everything a proof needs that does not depend on its input is made once, when the process starts, and kept warm:
// the proving key and the witness calculator's WebAssembly are read (and checked against zk/manifest.json) once,
// the witness calculator compiled once, and snarkjs's BN254 curve (its WebAssembly and one worker thread per core)
// built once: snarkjs keeps a multi-threaded curve in a global and reuses it (a single-threaded one it rebuilds for
// every proof). Per proof what remains is the witness and the prover's own arithmetic, on every core that is free.
import { WitnessCalculatorBuilder } from 'circom_runtime';
import * as snarkjs from 'snarkjs';
import { readPinnedArtifact } from './artifacts.js';

interface ProveMessage {
  id: number;
  input: Record<string, string | string[]>;
}

const zkey = { type: 'mem' as const, data: readPinnedArtifact('zkey') };
const ready = Promise.all([
  WitnessCalculatorBuilder(readPinnedArtifact('wasm')),
  snarkjs.curves.getCurveFromName('bn128'),
]);

async function prove(input: ProveMessage['input']) {
  const [calculator] = await ready;
  const witness = await calculator.calculateWTNSBin(input, true);
  return snarkjs.groth16.prove(zkey, { type: 'mem', data: witness });
}

process.on('message', async ({ id, input }: ProveMessage) => {
  try {
    const { proof, publicSignals } = await prove(input);
    process.send!({ id, proof, publicSignals });
  } catch (error) {
    process.send!({ id, error: (error as Error).message });
  }
});
// The parent going away ends the prover (and the curve's worker threads with it).
process.on('disconnect', () => process.exit(0));
