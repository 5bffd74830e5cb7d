// POST /v1/attest throughput and latency against the real server on loopback, with the audit event committed
// before every response, for the local and the pkcs11 (SoftHSM2) signer. At each concurrency level GET /healthz
// runs first on the same server (same middleware: request id, logging, metrics, helmet), so every attestation
// rate is also shown as a fraction of the rate of the cheapest request that server answers. Prints figures;
// asserts nothing. BENCH_SECONDS (default 10), BENCH_SIGNERS (default "local,pkcs11"), BENCH_WORKERS (the WORKERS
// settings to run, default "1,2"), BENCH_FORMATS (default "eip712,eip712-batch": eip712-batch shares one root
// signature per batch window), BENCH_CONCURRENCY (default "1,10,32,50"), and BENCH_CPU_PROF=<dir> writes a CPU profile of the server during each POST
// /v1/attest level with WORKERS=1 (summarise with scripts/bench/cpuProfile.ts).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import autocannon from 'autocannon';
import { initSoftHsmToken, softHsmModule, softHsmSignerEnv } from '../../test/helpers/softhsm.js';

const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,10,32,50').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SIGNERS = (process.env.BENCH_SIGNERS ?? 'local,pkcs11').split(',');
const WORKERS = (process.env.BENCH_WORKERS ?? '1,2').split(',');
const FORMATS = (process.env.BENCH_FORMATS ?? 'eip712,eip712-batch').split(',');
const PROFILE_DIR = process.env.BENCH_CPU_PROF;

interface Ready {
  url: string;
  key: string;
  subjects: string[];
  pid: number;
}

interface BenchServer {
  ready: Ready;
  /** Sends one command line (see benchServer.ts) and waits for its answer line. */
  command(line: string): Promise<string>;
  stop(): Promise<number>;
}

async function startServer(env: Record<string, string>): Promise<BenchServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/benchServer.ts'], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: Interface = createInterface({ input: child.stdout! });
  /** The next line that `wanted` accepts; others (WORKERS=N workers' warnings share the stdout) are passed on. */
  const nextLine = (wanted: (line: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`bench server exited with ${code}`));
      const take = (line: string) => {
        if (!wanted(line)) return void console.error(line);
        child.off('exit', exited);
        lines.off('line', take);
        resolve(line);
      };
      child.once('exit', exited);
      lines.on('line', take);
    });
  const ready = JSON.parse(await nextLine((line) => line.startsWith('{"url":'))) as Ready;
  return {
    ready,
    command: (line) => {
      const answer = nextLine((answerLine) => answerLine === `${line.split(' ')[0]} done`);
      child.stdin!.write(`${line}\n`);
      return answer;
    },
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

const healthz = (url: string, connections: number) =>
  autocannon({ url: `${url}/healthz`, connections, duration: SECONDS });

function attest(ready: Ready, connections: number, format: string) {
  let next = 0;
  return autocannon({
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
            format,
          }),
        }),
      },
    ],
  });
}

async function run(label: string, env: Record<string, string>): Promise<void> {
  for (const workers of WORKERS) {
    for (const format of FORMATS) await runWith(label, workers, format, env);
  }
}

async function runWith(
  label: string,
  workers: string,
  format: string,
  env: Record<string, string>,
): Promise<void> {
  const server = await startServer({ ...env, WORKERS: workers });
  try {
    console.log(
      `\nPOST /v1/attest format ${format}, signer ${label}, WORKERS=${workers} (${SECONDS}s per level, audit committed before each response; load average before: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')})`,
    );
    console.log(
      '| concurrency | attestations/s | p50 ms | p99 ms | non-2xx | GET /healthz/s | healthz p50 / p99 ms | attest ÷ healthz |',
    );
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const connections of CONCURRENCY) {
      const health = await healthz(server.ready.url, connections);
      const profile =
        PROFILE_DIR &&
        workers === '1' &&
        path.resolve(PROFILE_DIR, `attest-${format}-${label.split(' ')[0]}-c${connections}.cpuprofile`);
      if (profile) await server.command('profile-start');
      const result = await attest(server.ready, connections, format);
      if (profile) await server.command(`profile-stop ${profile}`);
      const ratio = result.requests.average / health.requests.average;
      console.log(
        `| ${connections} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${result.non2xx + result.errors} | ${Math.round(health.requests.average)} | ${health.latency.p50} / ${health.latency.p99} | ${ratio.toFixed(2)} |`,
      );
    }
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    const peak = Math.round((await server.stop()) / 1024);
    console.log(
      `peak server memory (RSS high-water mark${workers === '1' ? '' : ', the primary alone'}): ${peak} MiB`,
    );
  }
}

export async function runAttestBenchmark(): Promise<void> {
  if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
  if (SIGNERS.includes('local')) await run('local', { SIGNER: 'local' });
  if (!SIGNERS.includes('pkcs11')) return;
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
