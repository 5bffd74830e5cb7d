import assert from 'node:assert/strict';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { Wallet } from 'ethers';
import { createApiKey, ensureTenant } from '../../src/auth/index.js';
import { freePort } from '../../src/chain/index.js';
import { closeDatabase, createDatabase, type Database } from '../../src/db/index.js';
import { createIdentity } from '@custos/sdk/holder';
import { approveSubject } from '../helpers/fixtures.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { spawnService, type ServiceProcess } from '../helpers/serviceProcess.js';
import { initSoftHsmToken, softHsmModule, softHsmSignerEnv, type SoftHsmToken } from '../helpers/softhsm.js';
import { requireSystemPackage } from '../helpers/systemPackage.js';

const WORKERS = 16;
/** Successful attestations before SIGTERM: the burst is in full swing when the signal comes. */
const BEFORE_SIGTERM = 100;
/** Generous: these tests are about nothing being lost; the bound itself has its own test. */
const SHUTDOWN_TIMEOUT_SECONDS = 60;

type Outcome = { status: number; uid?: string; body: unknown } | { error: string };

/** What a client may see at shutdown besides a success: the connection refused or cut, or its own abort. */
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'AbortError']);

function errorCode(error: unknown): string {
  const { name, cause } = error as Error & { cause?: { code?: string } };
  return name === 'AbortError' ? name : (cause?.code ?? String(error));
}

/** How many prover processes `pid` has started (a custodial groth16 proof is under way). */
function proverProcesses(pid: number): number {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return parent === pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('proverProcess');
      } catch {
        return false; // gone meanwhile
      }
    }).length;
}

/**
 * A real service process (`src/main.ts`, the embedded chain, this test's PostgreSQL) gets SIGTERM in the middle of
 * a burst of POST /v1/attest. Every answer must be a 200 whose attestation and audit event are in the database, or a
 * connection refused or cut; the service logs no error and exits 0.
 */
describe('graceful shutdown under a burst of attestations', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function start(extraEnv: Record<string, string>) {
    const postgres: TestPostgres = await startTestPostgres();
    cleanups.push(() => postgres.stop());
    const dataDir = mkdtempSync(path.join(tmpdir(), 'custos-shutdown-'));
    chmodSync(dataDir, 0o755);
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const service = spawnService({
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: postgres.url,
        ALLOW_EMBEDDED_CHAIN: 'true',
        CUSTOS_DATA_DIR: dataDir,
        SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_TIMEOUT_SECONDS),
        ...extraEnv,
      },
    });
    cleanups.push(async () => void (await service.stop()));
    await service.waitForLog('custos is serving');
    const db = createDatabase(postgres.url, 2);
    cleanups.push(() => closeDatabase(db));
    const tenantId = await ensureTenant(db, 'shutdown');
    const { key } = await createApiKey(db, {
      tenantId,
      role: 'dapp',
      label: 'burst',
      rateLimitPerMinute: 10_000_000,
    });
    const subjects = Array.from({ length: 40 }, () => Wallet.createRandom().address);
    for (const subject of subjects) await approveSubject(db, subject);
    return { service, db, key, subjects, url: `http://127.0.0.1:${port}` };
  }

  /** WORKERS loops each sending attestations one after another until their first connection error. */
  function burst(url: string, key: string, subjects: string[]) {
    const outcomes: Outcome[] = [];
    const aborts = Array.from({ length: WORKERS }, () => new AbortController());
    let next = 0;
    const worker = async (abort: AbortController) => {
      for (;;) {
        try {
          const response = await fetch(`${url}/v1/attest`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ subject: subjects[next++ % subjects.length], policy: 'kyc-basic' }),
            signal: abort.signal,
          });
          const body = (await response.json()) as { uid?: string };
          outcomes.push({ status: response.status, uid: body.uid, body });
        } catch (error) {
          outcomes.push({ error: errorCode(error) });
          return;
        }
      }
    };
    const done = Promise.all(aborts.map(worker));
    const successes = () => outcomes.filter((o) => 'status' in o && o.status === 200).length;
    return { outcomes, aborts, done, successes };
  }

  async function untilSuccesses(count: () => number, target: number) {
    while (count() < target) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** No 5xx, every 200 durable with its audit event, no error logged, exit 0. */
  async function assertNothingLost(
    t: TestContext,
    {
      service,
      db,
      outcomes,
      sentAt,
    }: { service: ServiceProcess; db: Database; outcomes: Outcome[]; sentAt: number },
  ) {
    const exit = await service.stop(SHUTDOWN_TIMEOUT_SECONDS * 1000 + 30_000);
    t.diagnostic(`SIGTERM to exit: ${Date.now() - sentAt} ms; ${outcomes.length} requests`);
    assert.deepEqual(exit, { code: 0, signal: null }, service.stderr());

    const answered = outcomes.filter((o): o is Extract<Outcome, { status: number }> => 'status' in o);
    const failed = outcomes.filter((o): o is { error: string } => 'error' in o);
    for (const outcome of answered) assert.equal(outcome.status, 200, JSON.stringify(outcome.body));
    for (const { error } of failed)
      assert.ok(CONNECTION_ERRORS.has(error), `unexpected client error ${error}`);
    assert.ok(answered.length > BEFORE_SIGTERM);

    const uids = answered.map((o) => o.uid!);
    assert.equal(await db.attestation.count({ where: { uid: { in: uids } } }), uids.length);
    const audited = await db.auditEvent.findMany({
      where: { attestationUid: { in: uids }, type: 'attestation.issued' },
      select: { attestationUid: true },
    });
    assert.equal(new Set(audited.map((e) => e.attestationUid)).size, uids.length);

    const logged = service.lines.filter((line): line is Record<string, any> => typeof line === 'object'); // eslint-disable-line @typescript-eslint/no-explicit-any
    const errors = logged.filter(
      (line) =>
        Number(line.level) >= 50 || (Number(line.res?.statusCode) >= 500 && line.req?.path !== '/readyz'),
    );
    assert.deepEqual(errors, [], 'no error is logged at shutdown');
    const cut = logged.filter((line) => String(line.msg).includes('were still running'));
    assert.deepEqual(cut, [], 'every request finished within the bound');
    assert.ok(logged.some((line) => line.msg === 'stopped'));
    assert.match(service.stderr(), /^custos: SIGTERM, shutting down[^\n]*\n$/);
  }

  it('local signer, with a shutdown delay: /readyz turns 503 while the burst is still served, then every request in flight finishes', async (t) => {
    const { service, db, key, subjects, url } = await start({ SIGNER: 'local', SHUTDOWN_DELAY_SECONDS: '2' });
    const load = burst(url, key, subjects);
    await untilSuccesses(load.successes, BEFORE_SIGTERM);
    const sentAt = Date.now();
    service.child.kill('SIGTERM');
    const readiness: number[] = [];
    for (;;) {
      try {
        const response = await fetch(`${url}/readyz`);
        const body = (await response.json()) as { error?: { details?: { shuttingDown?: boolean } } };
        readiness.push(response.status);
        if (response.status === 503) assert.equal(body.error?.details?.shuttingDown, true);
      } catch (error) {
        assert.ok(CONNECTION_ERRORS.has(errorCode(error)), String(error));
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await load.done;
    const firstNotReady = readiness.indexOf(503);
    assert.ok(firstNotReady >= 0, `/readyz answered ${readiness.join(', ')}`);
    assert.ok(!readiness.slice(firstNotReady).includes(200), 'never ready again once shutting down');
    const afterSignal = load.outcomes.filter((o) => 'status' in o).length;
    t.diagnostic(`/readyz 503 answers while still serving: ${readiness.length - firstNotReady}`);
    await assertNothingLost(t, { service, db, outcomes: load.outcomes, sentAt });
    assert.ok(afterSignal > BEFORE_SIGTERM);
  });

  it('a request that never completes is cut at SHUTDOWN_TIMEOUT_SECONDS, and the service still exits 0', async (t) => {
    const { service, key, url } = await start({ SIGNER: 'local', SHUTDOWN_TIMEOUT_SECONDS: '1' });
    // Headers and half a body, then nothing: the request is in flight until the bound.
    const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      `POST /v1/attest HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"subject":`,
    );
    const cut = once(socket, 'close');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sentAt = Date.now();
    const exit = await service.stop();
    t.diagnostic(`SIGTERM to exit: ${Date.now() - sentAt} ms`);
    await cut;
    assert.deepEqual(exit, { code: 0, signal: null }, service.stderr());
    const warning = service.lines.find(
      (line) =>
        typeof line === 'object' &&
        String(line.msg).includes('were still running after SHUTDOWN_TIMEOUT_SECONDS'),
    );
    assert.ok(warning, 'the cut request is reported');
    assert.equal((warning as { requests: number }).requests, 1);
  });

  it('pkcs11 signer (SoftHSM2): clients that all give up at the signal (as a load generator stopping does) lose nothing and cause no error', async (t) => {
    if (!requireSystemPackage(t, 'softhsm2', softHsmModule !== undefined)) return;
    const token: SoftHsmToken = initSoftHsmToken('custos-shutdown');
    cleanups.push(() => token.remove());
    const { service, db, key, subjects, url } = await start(await softHsmSignerEnv(token, 'shutdown-signer'));
    const load = burst(url, key, subjects);
    await untilSuccesses(load.successes, BEFORE_SIGTERM);
    // A custodial groth16 attestation takes seconds in a prover process: it is still running when the signal comes.
    const custodial = Wallet.createRandom().address;
    await approveSubject(db, custodial);
    const proving = new AbortController();
    const groth16 = fetch(`${url}/v1/attest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        subject: custodial,
        policy: 'kyc-basic',
        format: 'groth16',
        identitySecret: `0x${createIdentity().secret.toString(16)}`,
      }),
      signal: proving.signal,
    }).catch((error: unknown) => errorCode(error));
    while (proverProcesses(service.child.pid!) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const sentAt = Date.now();
    proving.abort();
    // Every client drops its request in flight as the signal goes out, as the benchmark's load generator does: the
    // connections are gone at once, the requests' handlers are still running.
    for (const abort of load.aborts) abort.abort();
    service.child.kill('SIGTERM');
    await load.done;
    assert.equal(await groth16, 'AbortError');
    await assertNothingLost(t, { service, db, outcomes: load.outcomes, sentAt });
    // Requests the clients gave up on were still completed by the server: durable, and audited; the proof too.
    const issued = await db.attestation.count();
    const proved = await db.auditEvent.count({ where: { type: 'attestation.issued', subject: custodial } });
    assert.equal(proved, 1, 'the custodial proof finished and was audited');
    assert.equal(await db.auditEvent.count({ where: { type: 'attestation.issued' } }), issued + proved);
  });
});
