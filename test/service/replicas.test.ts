import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Contract, JsonRpcProvider, Wallet, verifyTypedData } from 'ethers';
import { loadArtifact } from '../../src/chain/index.js';
import { approveSubject } from '../helpers/fixtures.js';
import { eventually } from '../helpers/eventually.js';
import {
  REPLICA_HEADER,
  hasHaproxy,
  startReplicaCluster,
  type Replica,
  type ReplicaCluster,
} from '../helpers/replicas.js';
import { requireSystemPackage } from '../helpers/systemPackage.js';

/** Background work every second, so the test sees many runs offered by both replicas. */
const JOB_ENV = {
  AUDIT_ANCHOR_INTERVAL_SECONDS: '1',
  AUDIT_ANCHOR_MIN_BATCH: '1',
  AUDIT_ANCHOR_MAX_AGE_SECONDS: '0',
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: '1',
  CHAIN_INDEX_INTERVAL_SECONDS: '1',
};
const JOBS = ['audit-anchor', 'audit-checkpoint', 'chain-index'];

interface Answer {
  status: number;
  replica: string | null;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function call(
  base: string,
  method: string,
  route: string,
  key?: string,
  body?: unknown,
): Promise<Answer> {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    replica: response.headers.get(REPLICA_HEADER),
    body: await response.json(),
  };
}

/**
 * Two Custos replicas (separate processes) on one PostgreSQL and one anvil, behind HAProxy: everything the replicas
 * must agree on lives in the database. Propagation times are printed, never asserted beyond "it happens".
 */
describe('replicas behind a load balancer', () => {
  let cluster: ReplicaCluster | undefined;
  let dappKey = '';
  let startedAt = 0;
  const subjects: string[] = [];
  const needsHaproxy = (t: TestContext) => requireSystemPackage(t, 'haproxy', hasHaproxy());
  const replica = (name: string) => cluster!.replicas.find((r) => r.name === name)!;
  const attest = (base: string, key: string, subject: string) =>
    call(base, 'POST', '/v1/attest', key, { subject, policy: 'kyc-basic' });

  before(async () => {
    if (!hasHaproxy()) return;
    startedAt = Date.now();
    cluster = await startReplicaCluster({ env: JOB_ENV });
    dappKey = (await cluster.key('dapp', 1_000_000)).key;
    for (let i = 0; i < 20; i++) {
      const subject = Wallet.createRandom().address;
      await approveSubject(cluster.db, subject);
      subjects.push(subject);
    }
  });
  after(async () => {
    await cluster?.stop();
  });

  it('attestations through the balancer reach both replicas and land in one hash chain', async (t) => {
    if (!needsHaproxy(t)) return;
    const { balancer, db } = cluster!;
    const answers: Answer[] = [];
    for (let wave = 0; wave < 5; wave++) {
      answers.push(...(await Promise.all(subjects.slice(0, 8).map((s) => attest(balancer.url, dappKey, s)))));
    }
    assert.deepEqual(
      answers.map((a) => a.status),
      answers.map(() => 200),
    );
    const served = (name: string) => answers.filter((a) => a.replica === name).length;
    console.log(`# 40 attestations through HAProxy: ${served('a')} by replica a, ${served('b')} by b`);
    assert.ok(served('a') > 0 && served('b') > 0, 'both replicas served');
    for (const a of answers)
      assert.equal(
        verifyTypedData(a.body.domain, a.body.types, a.body.message, a.body.signature),
        a.body.signer,
      );

    const uids = answers.map((a) => a.body.uid as string);
    assert.equal(await db.attestation.count({ where: { uid: { in: uids } } }), 40);
    assert.equal(
      await db.auditEvent.count({ where: { type: 'attestation.issued', attestationUid: { in: uids } } }),
      40,
      'each attestation has its audit event',
    );
    const seqs = (await db.auditEvent.findMany({ select: { seq: true }, orderBy: { seq: 'asc' } })).map((e) =>
      Number(e.seq),
    );
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
      'one chain, no gap',
    );
    const officer = (await cluster!.key('officer')).key;
    const verified = await call(balancer.url, 'GET', '/v1/audit/verify', officer);
    assert.equal(verified.status, 200);
    assert.equal(verified.body.ok, true, JSON.stringify(verified.body).slice(0, 500));
  });

  it('a key limited to 60 a minute gets 429 after 60 requests spread over both replicas', async (t) => {
    if (!needsHaproxy(t)) return;
    const { key } = await cluster!.key('dapp', 60);
    const began = Date.now();
    const answers: Answer[] = [];
    for (let wave = 0; wave < 9; wave++) {
      answers.push(
        ...(await Promise.all(subjects.slice(0, 10).map((s) => attest(cluster!.balancer.url, key, s)))),
      );
    }
    const seconds = (Date.now() - began) / 1000;
    const allowed = answers.filter((a) => a.status === 200);
    const limited = answers.filter((a) => a.status === 429);
    console.log(
      `# 90 requests in ${seconds.toFixed(1)} s on a 60/minute key: ${allowed.length} allowed (a ${allowed.filter((a) => a.replica === 'a').length}, b ${allowed.filter((a) => a.replica === 'b').length}), ${limited.length} × 429`,
    );
    assert.equal(allowed.length + limited.length, 90);
    // One bucket for both: 60, plus the one token a second it refills while the requests run (each replica
    // limiting alone would have allowed 120).
    assert.ok(
      allowed.length >= 60 && allowed.length <= 60 + Math.floor(seconds),
      `${allowed.length} allowed`,
    );
    assert.ok(
      new Set(allowed.map((a) => a.replica)).size === 2,
      'the allowed ones came through both replicas',
    );
    assert.ok(new Set(limited.map((a) => a.replica)).size === 2, 'and both refused');
    assert.equal(limited[0]!.body.error.code, 'RATE_LIMITED');
  });

  it('a revoked API key stops working on both replicas', async (t) => {
    if (!needsHaproxy(t)) return;
    const { db, replicas } = cluster!;
    const { id, key } = await cluster!.key('dapp');
    for (const r of replicas)
      assert.equal((await attest(r.url, key, subjects[0]!)).status, 200, 'cached on each');
    // By hand in SQL, as an operator without an admin API would.
    const revokedAt = Date.now();
    await db.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
    const refusedAfter: Record<string, number> = {};
    await Promise.all(
      replicas.map((r) =>
        eventually(`replica ${r.name} refuses the revoked key`, async () => {
          const answer = await attest(r.url, key, subjects[0]!);
          if (answer.status === 200) return false;
          assert.equal(answer.status, 401);
          refusedAfter[r.name] = Date.now() - revokedAt;
          return true;
        }),
      ),
    );
    console.log(
      `# API key revocation propagated: ${JSON.stringify(refusedAfter)} ms (cache bound: 10,000 ms)`,
    );
  });

  it('a rotation through one replica is used by the other', async (t) => {
    if (!needsHaproxy(t)) return;
    const officer = (await cluster!.key('officer')).key;
    const [a, b] = [replica('a'), replica('b')];
    const before = await attest(b.url, dappKey, subjects[1]!);
    const rotated = await call(a.url, 'POST', '/v1/keys/rotate', officer, { overlapSeconds: 600 });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const activeAt = Date.now();
    assert.equal(rotated.body.previous, before.body.signer);
    let propagationMs = 0;
    await eventually(
      'replica b signs with the new key',
      async () => {
        const answer = await attest(b.url, dappKey, subjects[1]!);
        assert.equal(answer.status, 200);
        if (answer.body.signer !== rotated.body.current) return false;
        propagationMs = Date.now() - activeAt;
        assert.equal(
          verifyTypedData(answer.body.domain, answer.body.types, answer.body.message, answer.body.signature),
          rotated.body.current,
        );
        return true;
      },
      10_000, // twice the 5 s re-read that backs up a lost notification
    );
    console.log(`# rotation through replica a used by replica b after ${propagationMs} ms`);
    assert.equal((await attest(a.url, dappKey, subjects[1]!)).body.signer, rotated.body.current);
  });

  it('the emergency stop pulled through one replica stops the other, and lifting it restarts both', async (t) => {
    if (!needsHaproxy(t)) return;
    const [a, b] = [replica('a'), replica('b')];
    const officer = (await cluster!.key('officer')).key;
    const admin = (await cluster!.key('admin')).key;
    const reason = { reasonCode: 'OTHER', reason: 'drill' };
    const propagatedAfter = async (via: Replica, paused: boolean) => {
      const changed = await call(
        via.url,
        'POST',
        `/v1/emergency/${paused ? 'pause' : 'unpause'}`,
        paused ? officer : admin,
        reason,
      );
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      const changedAt = Date.now();
      const other = via === a ? b : a;
      let after = 0;
      await eventually(
        `replica ${other.name} follows the stop (${paused})`,
        async () => {
          const answer = await attest(other.url, dappKey, subjects[2]!);
          if ((answer.status === 503) !== paused) return false;
          if (paused) assert.equal(answer.body.error.code, 'PAUSED');
          after = Date.now() - changedAt;
          return true;
        },
        10_000,
      ); // twice the 5 s re-read that backs up a lost notification
      return after;
    };
    const pausedAfter = await propagatedAfter(a, true);
    assert.equal((await attest(a.url, dappKey, subjects[2]!)).status, 503);
    const resumedAfter = await propagatedAfter(b, false);
    assert.equal((await attest(b.url, dappKey, subjects[2]!)).status, 200);
    console.log(
      `# emergency stop through replica a applied by b after ${pausedAfter} ms; lifted through b, applied by a after ${resumedAfter} ms`,
    );
  });

  it('background jobs (anchoring, indexing, checkpoints) run once across the replicas', async (t) => {
    if (!needsHaproxy(t)) return;
    const { db, anvil, deployment } = cluster!;
    const provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const anchor = new Contract(deployment.contracts.AuditAnchor, loadArtifact('AuditAnchor').abi, provider);
    try {
      // Everything written so far ends up anchored, and the indexer reads the chain to its tip.
      const head = (await db.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' } })).seq;
      await eventually('the head is anchored', async () => {
        const last = await db.auditBatch.findFirst({ orderBy: { index: 'desc' } });
        return last !== null && last.lastSeq >= head;
      });
      const tip = await provider.getBlockNumber();
      await eventually('the indexer reached the tip', async () => {
        const cursors = await db.chainCursor.findMany();
        return cursors.length === 1 && Number(cursors[0]!.blockNumber) >= tip;
      });

      const batches = await db.auditBatch.findMany({ orderBy: { index: 'asc' } });
      assert.equal(
        Number(await anchor.getFunction('batchCount')()),
        batches.length,
        'each batch anchored once',
      );
      let next = 1n;
      for (const batch of batches) {
        assert.equal(batch.firstSeq, next, `batch ${batch.index} starts where the previous ended`);
        const onChain = await anchor.getFunction('batch')(batch.index);
        assert.deepEqual(
          [BigInt(onChain.firstSeq), BigInt(onChain.lastSeq), onChain.root],
          [batch.firstSeq, batch.lastSeq, `0x${Buffer.from(batch.root).toString('hex')}`],
        );
        next = batch.lastSeq + 1n;
      }

      // Indexed exactly once: the rows are the contracts' logs up to the cursor, no more, no fewer.
      const cursor = Number((await db.chainCursor.findFirstOrThrow()).blockNumber);
      const logs = await provider.getLogs({
        address: Object.values(deployment.contracts),
        fromBlock: deployment.blockNumber,
        toBlock: cursor,
      });
      const indexed = await db.chainEvent.count({ where: { blockNumber: { lte: BigInt(cursor) } } });
      assert.equal(indexed, logs.length);
      assert.equal(await db.chainEvent.count({ where: { event: 'BatchAnchored' } }), batches.length);

      // Both replicas offer every job every second; the cluster queued at most one run per one-second slot.
      const seconds = (Date.now() - startedAt) / 1000;
      const { rows } = await db.pool.query<{ name: string; runs: string; unslotted: string }>(
        `SELECT name, count(*) AS runs, count(*) FILTER (WHERE singleton_on IS NULL) AS unslotted
         FROM pgboss.job WHERE name = ANY($1) GROUP BY name ORDER BY name`,
        [JOBS],
      );
      console.log(
        `# over ${seconds.toFixed(0)} s, runs queued: ${rows.map((r) => `${r.name} ${r.runs}`).join(', ')}`,
      );
      assert.deepEqual(
        rows.map((r) => r.name),
        JOBS,
      );
      for (const row of rows) {
        assert.equal(Number(row.unslotted), 0);
        assert.ok(Number(row.runs) <= seconds + 2, `${row.name}: ${row.runs} runs in ${seconds} s`);
      }
      for (const r of cluster!.replicas)
        assert.doesNotMatch(r.output(), /failed; it runs again/, `replica ${r.name} logs`);
    } finally {
      provider.destroy();
    }
  });
});
