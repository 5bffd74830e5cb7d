import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Wallet } from 'ethers';
import { runningEmbeddedPostgres } from '../../src/db/index.js';
import type { DevCredentials } from '../../src/service/index.js';
import { WORKER_HEADER } from '../../src/service/workers.js';
import { approveWithCli } from '../helpers/cli.js';
import { eventually } from '../helpers/eventually.js';
import { spawnService, type ServiceProcess } from '../helpers/serviceProcess.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The worker processes (running the service's entry) whose parent is `primary`, from /proc. */
const workersOf = (primary: number) =>
  readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        // stat: "pid (comm) state ppid ...": the command may hold spaces, the fields after ")" do not.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return parent === primary && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('main.ts');
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);

describe('WORKERS=2: two server processes on one port, one database, one audit chain', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'custos-workers-'));
  chmodSync(dataDir, 0o755);
  let service: ServiceProcess;
  let creds: DevCredentials;
  const subject = Wallet.createRandom().address;

  /** The pids of the workers the primary logged as serving, by worker id. */
  const workerPids = () =>
    new Map(
      service.lines
        .filter((l): l is Record<string, unknown> => typeof l === 'object' && l.msg === 'worker serving')
        .map((l) => [Number(l.worker), Number(l.pid)]),
    );
  const attest = async () => {
    const response = await fetch(`${creds.url}/v1/attest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${creds.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject, policy: 'kyc-basic' }),
    });
    await response.arrayBuffer();
    return { status: response.status, worker: response.headers.get(WORKER_HEADER) };
  };
  /** `concurrency` attestations at once, `rounds` times; every one must be 200. */
  const burst = async (concurrency: number, rounds: number) => {
    const answers = [];
    for (let round = 0; round < rounds; round++)
      answers.push(...(await Promise.all(Array.from({ length: concurrency }, attest))));
    assert.deepEqual(
      answers.filter((a) => a.status !== 200),
      [],
    );
    return new Set(answers.map((a) => a.worker));
  };
  const verifyAudit = async () => {
    const response = await fetch(`${creds.url}/v1/audit/verify`, {
      headers: { authorization: `Bearer ${creds.regulatorKey}` },
    });
    assert.equal(response.status, 200);
    return (await response.json()) as { ok: boolean; breakCount: number; eventCount?: number };
  };

  before(async () => {
    const file = path.join(dataDir, 'dev-credentials.json');
    service = spawnService({
      env: { ...process.env, WORKERS: '2', PORT: '0', CUSTOS_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    });
    await eventually('the primary wrote the credentials', () => existsSync(file), 120_000);
    creds = JSON.parse(readFileSync(file, 'utf8')) as DevCredentials;
    await approveWithCli(subject, { CUSTOS_DATA_DIR: dataDir });
  });
  after(async () => {
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('concurrent attestations are answered by both workers, and the audit chain verifies', async () => {
    assert.deepEqual([...workerPids().keys()].sort(), [1, 2]);
    assert.deepEqual([...(await burst(32, 4))].sort(), ['1', '2']);
    const verified = await verifyAudit();
    assert.equal(verified.ok, true, JSON.stringify(verified));
    assert.equal(verified.breakCount, 0);
  });

  it('a worker that crashes is replaced; the other serves meanwhile and the chain still verifies', async () => {
    const pid = workerPids().get(1)!;
    process.kill(pid, 'SIGKILL');
    await service.waitForLog('worker exited; starting another');
    await eventually('worker 3 serves', () => workerPids().has(3), 120_000);
    assert.ok(!alive(pid));
    assert.deepEqual([...(await burst(32, 2))].sort(), ['2', '3']);
    const verified = await verifyAudit();
    assert.equal(verified.ok, true, JSON.stringify(verified));
  });

  it('a replacement that dies before it serves is tried again until one serves', async () => {
    const primary = service.child.pid!;
    const known = new Set(workersOf(primary));
    const logged = (message: string) =>
      service.lines.filter((l) => typeof l === 'object' && l.msg === message);
    const exits = logged('worker exited; starting another').length;
    process.kill(workerPids().get(2)!, 'SIGKILL');
    await eventually(
      'the primary saw the exit',
      () => logged('worker exited; starting another').length > exits,
    );
    // The replacement is a worker process the primary has forked but that has not served yet: kill it while it starts.
    let replacement: number | undefined;
    await eventually('the replacement worker is forked', () => {
      replacement = workersOf(primary).find((pid) => !known.has(pid));
      return replacement !== undefined;
    });
    process.kill(replacement!, 'SIGKILL');
    await service.waitForLog('worker restart failed; trying again');
    await eventually('worker 5 serves', () => workerPids().has(5), 120_000);
    assert.ok(!workerPids().has(4), 'the killed replacement never served');
    assert.deepEqual([...(await burst(16, 1))].sort(), ['3', '5']);
  });

  it('SIGTERM stops every worker, the primary and the embedded PostgreSQL', async () => {
    const pids = [...workerPids().values()];
    const exit = await service.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, service.stderr());
    for (const pid of pids) assert.ok(!alive(pid), `worker ${pid} is gone`);
    assert.equal(runningEmbeddedPostgres(path.join(dataDir, 'postgres')), undefined);
  });
});
