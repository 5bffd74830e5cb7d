// The audit log at scale: 1,000,000 hash-chained events (BENCH_AUDIT_EVENTS) in a throwaway PostgreSQL, then
// query latency (a subject's history, a one-day range, each p50/p99), export throughput and the time to verify the
// whole chain. Uses the same query, export and verification code as the API. Prints figures; asserts nothing.
import { randomBytes, randomUUID } from 'node:crypto';
import { getAddress } from 'ethers';
import { startTestPostgres } from '../../test/helpers/postgres.js';
import {
  insertAuditEvents,
  type ChainedAuditEvent,
  queryAuditEvents,
  streamAuditEvents,
  verifyAuditChain,
} from '../../src/audit/index.js';
import { CURRENT_HASH_VERSION, GENESIS_HASH, chainHash, type AuditRecord } from '../../src/audit/chain.js';
import { applyMigrations, closeDatabase, createDatabase, type Database } from '../../src/db/index.js';

const EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
const DAYS = 30;
const SUBJECTS = 20_000;
const TENANTS = 5;
const INSERT_BATCH = 5000; // 10 columns × 5000 rows stays under PostgreSQL's 65,535 parameters
const SAMPLES = 200;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)]!;

/** A month of traffic: KYC updates, issuances, refusals and revocations spread evenly over DAYS days. */
async function fill(db: Database, start: Date): Promise<{ subjects: string[] }> {
  const subjects = Array.from({ length: SUBJECTS }, () => getAddress(`0x${randomBytes(20).toString('hex')}`));
  const tenants = Array.from({ length: TENANTS }, () => randomUUID());
  await db.pool.query(`INSERT INTO tenants (id, name) SELECT unnest($1::uuid[]), unnest($1::uuid[])::text`, [
    tenants,
  ]);
  const step = (DAYS * 86_400_000) / EVENTS;
  let prevHash: Buffer = GENESIS_HASH;
  for (let first = 1; first <= EVENTS; first += INSERT_BATCH) {
    const events: ChainedAuditEvent[] = [];
    const count = Math.min(INSERT_BATCH, EVENTS - first + 1);
    for (let seq = first; seq < first + count; seq++) {
      const kind = seq % 10;
      const type =
        kind < 2
          ? 'kyc.updated'
          : kind < 8
            ? 'attestation.issued'
            : kind < 9
              ? 'screening.failed'
              : 'attestation.revoked';
      const record: AuditRecord = {
        seq: BigInt(seq),
        type,
        actor: `api-key:${tenants[seq % TENANTS]}`,
        tenantId: type === 'kyc.updated' ? null : tenants[seq % TENANTS]!,
        subject: pick(subjects),
        attestationUid:
          type === 'attestation.issued' || type === 'attestation.revoked'
            ? `0x${randomBytes(32).toString('hex')}`
            : null,
        payload: {
          policy: 'kyc-basic',
          passed: type !== 'screening.failed',
          reasons: [],
          listVersions: [{ name: 'ofac-sdn', sha256: 'ab'.repeat(32) }],
        },
        createdAt: new Date(start.getTime() + Math.floor(seq * step)),
        hashVersion: CURRENT_HASH_VERSION,
      };
      const hash = chainHash(prevHash, record);
      events.push({ ...record, prevHash, hash });
      prevHash = hash;
    }
    await insertAuditEvents(db.pool, events);
  }
  // What autovacuum does to a live table: statistics, and a visibility map for index-only scans.
  await db.pool.query('VACUUM ANALYZE audit_events');
  return { subjects };
}

async function latencies(run: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
}

export async function runAuditBenchmark(): Promise<void> {
  const postgres = await startTestPostgres();
  await applyMigrations(postgres.url);
  const db = createDatabase(postgres.url, 4);
  try {
    const start = new Date(Date.UTC(2026, 9, 1));
    let started = performance.now();
    const { subjects } = await fill(db, start);
    const fillSeconds = (performance.now() - started) / 1000;
    console.log(
      `\naudit log at scale: ${EVENTS.toLocaleString('en')} events over ${DAYS} days, ${SUBJECTS.toLocaleString('en')} subjects (filled in ${fillSeconds.toFixed(0)} s, ${Math.round(EVENTS / fillSeconds)} events/s)`,
    );
    console.log('| measurement | p50 ms | p99 ms | rows |\n| --- | ---: | ---: | ---: |');

    let rows = 0;
    const history = await latencies(async () => {
      rows = (await queryAuditEvents(db, { subject: pick(subjects) }, { after: 0n, limit: 1000 })).events
        .length;
    });
    console.log(
      `| subject history (all events of one address) | ${history.p50.toFixed(1)} | ${history.p99.toFixed(1)} | ~${rows} |`,
    );
    const day = await latencies(async () => {
      const from = new Date(start.getTime() + Math.floor(Math.random() * (DAYS - 1)) * 86_400_000);
      const to = new Date(from.getTime() + 86_400_000);
      rows = (await queryAuditEvents(db, { from, to }, { after: 0n, limit: 100 })).events.length;
    });
    console.log(
      `| one-day range, first page of 100 | ${day.p50.toFixed(1)} | ${day.p99.toFixed(1)} | ${rows} |`,
    );
    const dayOfType = await latencies(async () => {
      const from = new Date(start.getTime() + Math.floor(Math.random() * (DAYS - 1)) * 86_400_000);
      rows = (
        await queryAuditEvents(
          db,
          { type: 'attestation.revoked', from, to: new Date(from.getTime() + 86_400_000) },
          { after: 0n, limit: 100 },
        )
      ).events.length;
    });
    console.log(
      `| one-day range of one event type, first page of 100 | ${dayOfType.p50.toFixed(1)} | ${dayOfType.p99.toFixed(1)} | ${rows} |`,
    );

    started = performance.now();
    let exported = 0;
    let bytes = 0;
    const exportFrom = new Date(start.getTime() + 10 * 86_400_000);
    for await (const event of streamAuditEvents(db, {
      from: exportFrom,
      to: new Date(exportFrom.getTime() + 3 * 86_400_000),
    })) {
      bytes += JSON.stringify(event).length + 1;
      exported++;
    }
    const exportSeconds = (performance.now() - started) / 1000;
    console.log(
      `export (JSON Lines, three days): ${exported.toLocaleString('en')} events, ${(bytes / 1e6).toFixed(0)} MB in ${exportSeconds.toFixed(1)} s = ${Math.round(exported / exportSeconds).toLocaleString('en')} events/s`,
    );

    started = performance.now();
    const verified = await verifyAuditChain(db);
    const verifySeconds = (performance.now() - started) / 1000;
    console.log(
      `verify the whole chain: ${verified.checked.toLocaleString('en')} events in ${verifySeconds.toFixed(1)} s (${Math.round(verified.checked / verifySeconds).toLocaleString('en')} events/s), ok=${verified.ok}`,
    );
  } finally {
    await closeDatabase(db);
    await postgres.stop();
  }
}
