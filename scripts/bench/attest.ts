// POST /v1/attest throughput and latency against the real server on loopback, with the audit event committed
// before every response, for the local and the pkcs11 (SoftHSM2) signer. Prints figures; asserts nothing.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { initSoftHsmToken, softHsmModule, softHsmSignerEnv } from '../../test/helpers/softhsm.js';

const CONCURRENCY = [1, 10, 50];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

interface Ready {
  url: string;
  key: string;
  subjects: string[];
  pid: number;
}

async function startServer(
  env: Record<string, string>,
): Promise<{ ready: Ready; stop: () => Promise<number> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/benchServer.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  const ready = JSON.parse(line) as Ready;
  return {
    ready,
    stop: async () => {
      // Peak resident memory of the server process over the whole run.
      const peakKb = Number(
        /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${ready.pid}/status`, 'utf8'))?.[1] ?? 0,
      );
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      return peakKb;
    },
  };
}

async function run(label: string, env: Record<string, string>): Promise<void> {
  const { ready, stop } = await startServer(env);
  try {
    console.log(
      `\nPOST /v1/attest, signer ${label} (${SECONDS}s per level, audit committed before each response)`,
    );
    console.log(
      '| concurrency | attestations/s | p50 ms | p99 ms | non-2xx |\n| ---: | ---: | ---: | ---: | ---: |',
    );
    for (const connections of CONCURRENCY) {
      let next = 0;
      const result = await autocannon({
        url: `${ready.url}/v1/attest`,
        method: 'POST',
        connections,
        duration: SECONDS,
        headers: { authorization: `Bearer ${ready.key}`, 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (request) => ({
              ...request,
              body: JSON.stringify({
                subject: ready.subjects[next++ % ready.subjects.length],
                policy: 'kyc-basic',
              }),
            }),
          },
        ],
      });
      console.log(
        `| ${connections} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${result.non2xx + result.errors} |`,
      );
    }
  } finally {
    console.log(`peak server memory (RSS high-water mark): ${Math.round((await stop()) / 1024)} MiB`);
  }
}

export async function runAttestBenchmark(): Promise<void> {
  await run('local', { SIGNER: 'local' });
  if (!softHsmModule) {
    console.log('\npkcs11: skipped, softhsm2 is not installed (apt-get install -y softhsm2)');
    return;
  }
  const token = initSoftHsmToken('custos-bench');
  try {
    await run('pkcs11 (SoftHSM2)', await softHsmSignerEnv(token, 'bench-signer'));
  } finally {
    token.remove();
  }
}
