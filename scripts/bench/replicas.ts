// Two replicas on one PostgreSQL and one anvil behind HAProxy (the test's cluster, test/helpers/replicas.ts), measured
// in one run: POST /v1/attest throughput through one replica and through the balancer, how long a key rotation and
// an API-key revocation take to reach the other replica, and what a shared rate-limit take costs. Prints figures;
// asserts nothing.
import { Wallet } from 'ethers';
import autocannon from 'autocannon';
import pg from 'pg';
import { PgRateLimiter } from '../../src/auth/index.js';
import { approveSubject } from '../../test/helpers/fixtures.js';
import { hasHaproxy, startReplicaCluster, type ReplicaCluster } from '../../test/helpers/replicas.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = [10, 50];
const SUBJECTS = 200;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
};
const summary = (values: number[]) =>
  `p50 ${percentile(values, 50)} ms, max ${Math.max(...values)} ms (${values.length} runs)`;

async function attest(url: string, key: string, subject: string) {
  const response = await fetch(`${url}/v1/attest`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ subject, policy: 'kyc-basic' }),
  });
  return { status: response.status, body: (await response.json()) as { signer?: string } };
}

/** Polls `seen` as fast as requests go; resolves once it holds. */
async function until(seen: () => Promise<boolean>): Promise<void> {
  const from = Date.now();
  while (!(await seen())) {
    if (Date.now() - from > 30_000) throw new Error('not propagated within 30 s');
  }
}

async function throughput(cluster: ReplicaCluster, key: string, subjects: string[]): Promise<void> {
  console.log(`\nPOST /v1/attest, ${SECONDS} s per row, signer local, audit committed before each response`);
  console.log(
    '| target | concurrency | attestations/s | p50 ms | p99 ms | non-2xx |\n| --- | ---: | ---: | ---: | ---: | ---: |',
  );
  const targets = [
    ['one replica', cluster.replicas[0]!.url],
    ['HAProxy, two replicas', cluster.balancer.url],
  ] as const;
  for (const connections of CONCURRENCY) {
    for (const [label, url] of targets) {
      let next = 0;
      const result = await autocannon({
        url: `${url}/v1/attest`,
        method: 'POST',
        connections,
        duration: SECONDS,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (request) => ({
              ...request,
              body: JSON.stringify({ subject: subjects[next++ % subjects.length], policy: 'kyc-basic' }),
            }),
          },
        ],
      });
      console.log(
        `| ${label} | ${connections} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${result.non2xx + result.errors} |`,
      );
    }
  }
}

async function rotationPropagation(cluster: ReplicaCluster, key: string, subject: string): Promise<void> {
  const officer = (await cluster.key('officer')).key;
  const [a, b] = cluster.replicas as [ReplicaCluster['replicas'][0], ReplicaCluster['replicas'][0]];
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const response = await fetch(`${a.url}/v1/keys/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${officer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ overlapSeconds: 600 }),
    });
    const { current } = (await response.json()) as { current: string };
    const from = Date.now();
    await until(async () => (await attest(b.url, key, subject)).body.signer === current);
    times.push(Date.now() - from);
  }
  console.log(`\nkey rotation through replica a, until replica b signs with the new key: ${summary(times)}`);
}

async function revocationPropagation(cluster: ReplicaCluster, subject: string): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const { id, key } = await cluster.key('dapp');
    for (const replica of cluster.replicas) await attest(replica.url, key, subject); // cached on each
    await cluster.db.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
    const from = Date.now();
    await Promise.all(
      cluster.replicas.map((replica) =>
        until(async () => (await attest(replica.url, key, subject)).status === 401),
      ),
    );
    times.push(Date.now() - from);
  }
  console.log(
    `API-key revocation (SQL), until both replicas refuse it: ${summary(times)} (cache bound 10,000 ms)`,
  );
}

/** What a shared take costs on its own: one at a time and 50 at a time, one hot key and many, a pool of 10. */
async function limiterCost(cluster: ReplicaCluster): Promise<void> {
  const pool = new pg.Pool({ connectionString: cluster.postgres.url, max: 10 });
  const limiter = new PgRateLimiter(pool);
  const TAKES = 10_000;
  console.log(`\nPgRateLimiter.take against the same PostgreSQL, ${TAKES} takes per row, pool of 10`);
  console.log('| keys | concurrency | takes/s | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: | ---: |');
  const keys = [
    ['one hot key', () => 'bench:hot'],
    ['10,000 keys', (i: number) => `bench:${i % 10_000}`],
  ] as const;
  for (const concurrency of [1, 50]) {
    for (const [label, keyOf] of keys) {
      const latencies: number[] = [];
      let issued = 0;
      const began = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (issued < TAKES) {
            const i = issued++;
            const at = performance.now();
            await limiter.take(keyOf(i), 100_000_000);
            latencies.push(performance.now() - at);
          }
        }),
      );
      const seconds = (performance.now() - began) / 1000;
      const ms = (p: number) => percentile(latencies, p).toFixed(2);
      console.log(`| ${label} | ${concurrency} | ${Math.round(TAKES / seconds)} | ${ms(50)} | ${ms(99)} |`);
    }
  }
  limiter.close();
  await pool.end();
}

export async function runReplicasBenchmark(): Promise<void> {
  if (!hasHaproxy()) {
    console.log('\nreplicas: skipped, haproxy is not installed (apt-get install -y haproxy)');
    return;
  }
  console.log(
    '\nTwo replicas (separate processes) on one PostgreSQL and one anvil, behind HAProxy, on this machine',
  );
  const cluster = await startReplicaCluster();
  try {
    const { key } = await cluster.key('dapp', 100_000_000);
    const subjects: string[] = [];
    for (let i = 0; i < SUBJECTS; i++) {
      const subject = Wallet.createRandom().address;
      await approveSubject(cluster.db, subject);
      subjects.push(subject);
    }
    await throughput(cluster, key, subjects);
    await rotationPropagation(cluster, key, subjects[0]!);
    await revocationPropagation(cluster, subjects[0]!);
    await limiterCost(cluster);
  } finally {
    await cluster.stop();
  }
}
