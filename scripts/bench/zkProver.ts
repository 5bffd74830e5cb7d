// A proving process for the zk benchmark: proves whatever input it is sent, single-threaded (the pool is the
// parallelism), and answers with the time it took. A child process rather than a worker thread: snarkjs's
// web-worker dependency mistakes any worker thread for one of its own.
import * as snarkjs from 'snarkjs';
import { artifactPath } from '../../src/zk/index.js';

process.on('message', async (input: Record<string, unknown>) => {
  const started = performance.now();
  await snarkjs.groth16.fullProve(input, artifactPath('wasm'), artifactPath('zkey'), undefined, undefined, {
    singleThread: true,
  });
  process.send!(performance.now() - started);
});
