// `npm run bench`: every benchmark, each printing its own figures. `npm run bench -- gas`, `-- crypto`, `-- attest`, `-- audit`, `-- zk`, `-- revocation`, `-- replicas` or `-- agents` runs one.
import { runAgentsBenchmark } from './agents.js';
import { runAttestBenchmark } from './attest.js';
import { runAuditBenchmark } from './audit.js';
import { runCryptoBenchmark } from './crypto.js';
import { runGasBenchmark } from './gas.js';
import { runReplicasBenchmark } from './replicas.js';
import { runRevocationBenchmark } from './revocation.js';
import { runZkBenchmark } from './zk.js';

const benchmarks: Record<string, () => void | Promise<void>> = {
  gas: runGasBenchmark,
  crypto: runCryptoBenchmark,
  attest: runAttestBenchmark,
  audit: runAuditBenchmark,
  zk: runZkBenchmark,
  revocation: runRevocationBenchmark,
  replicas: runReplicasBenchmark,
  agents: runAgentsBenchmark,
};
const chosen = process.argv.slice(2);
for (const name of chosen.length ? chosen : Object.keys(benchmarks)) {
  const benchmark = benchmarks[name];
  if (!benchmark)
    throw new Error(`unknown benchmark ${name}; choose from ${Object.keys(benchmarks).join(', ')}`);
  await benchmark();
}
