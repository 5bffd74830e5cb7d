import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { pino } from 'pino';
import { createApiKey, ensureTenant } from '../../src/auth/index.js';
import { CHANNELS, ClusterEvents, coalesced, type Watcher } from '../../src/cluster/index.js';
import { applyMigrations, closeDatabase, createDatabase, type Database } from '../../src/db/index.js';
import { eventually } from '../helpers/eventually.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

/** A watcher that records what it was told. */
function recorder(resyncEveryMs?: number) {
  const seen = { changed: [] as string[], resyncs: 0 };
  const watcher: Watcher<string> = {
    changed: (payload) => void seen.changed.push(payload),
    resync: () => void seen.resyncs++,
    resyncEveryMs,
  };
  return { seen, watcher };
}

describe('cluster events (LISTEN/NOTIFY on a real PostgreSQL)', () => {
  let postgres: TestPostgres;
  let db: Database;
  let admin: pg.Client;
  const opened: ClusterEvents[] = [];
  const start = async () => {
    const events = await ClusterEvents.start({
      databaseUrl: postgres.url,
      logger: pino({ level: 'silent' }),
      heartbeatMs: 500,
      reconnectMs: { first: 50, last: 200 },
    });
    opened.push(events);
    return events;
  };
  const newKey = async () =>
    (
      await createApiKey(db, {
        tenantId: await ensureTenant(db, 'cluster'),
        role: 'dapp',
        label: 'cluster events',
      })
    ).id;

  before(async () => {
    postgres = await startTestPostgres();
    await applyMigrations(postgres.url);
    db = createDatabase(postgres.url, 2);
    admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
  });
  after(async () => {
    for (const events of opened) await events.close();
    await admin?.end();
    if (db) await closeDatabase(db);
    await postgres?.stop();
  });

  it('a change to api_keys reaches every listening process on commit, and a rolled-back one never does', async () => {
    const [a, b] = [await start(), await start()];
    const [onA, onB] = [recorder(), recorder()];
    a.watch(CHANNELS.apiKeys, onA.watcher);
    b.watch(CHANNELS.apiKeys, onB.watcher);
    await eventually('both listen and resynced once', () => onA.seen.resyncs === 1 && onB.seen.resyncs === 1);

    const kept = await newKey();
    const rolledBack = await newKey();
    assert.deepEqual([onA.seen.changed, onB.seen.changed], [[], []], 'creating a key notifies nothing');
    await admin.query('BEGIN');
    await admin.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [rolledBack]);
    await admin.query('ROLLBACK');
    // By hand in SQL, as an operator might: the trigger notifies all the same.
    await admin.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [kept]);
    await eventually('both were told', () => onA.seen.changed.length === 1 && onB.seen.changed.length === 1);
    assert.deepEqual([onA.seen.changed, onB.seen.changed], [[kept], [kept]]);
  });

  it('signing_keys changes are notified with the address', async () => {
    const events = await start();
    const { seen, watcher } = recorder();
    events.watch(CHANNELS.signingKeys, watcher);
    await eventually('listening', () => seen.resyncs === 1);
    const address = '0x00000000000000000000000000000000000000A1';
    await db.signingKey.create({
      data: { address, backend: 'local', keyRef: 'k.json', status: 'staged', validFrom: new Date() },
    });
    await db.signingKey.update({ where: { address }, data: { status: 'active' } });
    await db.signingKey.delete({ where: { address } });
    await eventually('three notifications', () => seen.changed.length === 3);
    assert.deepEqual(seen.changed, [address, address, address]);
  });

  it('a dropped listening connection is re-made, every watcher resyncs, and notifications flow again', async () => {
    const events = await start();
    const { seen, watcher } = recorder();
    events.watch(CHANNELS.apiKeys, watcher);
    await eventually('listening', () => seen.resyncs === 1);
    // What a failover or a restart does to the session: the server ends it.
    const { rowCount } = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE application_name = 'custos-cluster-events' AND pid <> pg_backend_pid()`,
    );
    assert.ok(rowCount! >= 1);
    await eventually('resynced after reconnecting', () => seen.resyncs === 2 && events.listening);
    const id = await newKey();
    await db.apiKey.update({ where: { id }, data: { rateLimitPerMinute: 10 } });
    await eventually('notified on the new connection', () => seen.changed.includes(id));
  });

  it('a change made with its notification suppressed is still picked up by the periodic resync', async () => {
    const events = await start();
    const id = await newKey();
    const state = { revoked: false, changed: 0, resyncs: 0 };
    events.watch(CHANNELS.apiKeys, {
      changed: () => void state.changed++,
      resync: async () => {
        state.resyncs++;
        state.revoked = (await db.apiKey.findUniqueOrThrow({ where: { id } })).revokedAt !== null;
      },
      resyncEveryMs: 200,
    });
    await eventually('listening', () => state.resyncs >= 1);
    const client = await db.pool.connect();
    try {
      // session_replication_role = replica skips ordinary triggers: the change is made and nobody is told.
      await client.query('SET session_replication_role = replica');
      await client.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [id]);
      await client.query('SET session_replication_role = DEFAULT');
    } finally {
      client.release();
    }
    await eventually('the re-read saw the revocation', () => state.revoked);
    assert.equal(state.changed, 0, 'no notification was sent');
  });

  it('coalesced re-reads: a burst during a read shares one more read after it', async () => {
    let reads = 0;
    let release!: () => void;
    const read = coalesced(async () => {
      reads++;
      await new Promise<void>((resolve) => (release = resolve));
    });
    const first = read();
    const burst = Array.from({ length: 10 }, () => read());
    assert.equal(reads, 1);
    release();
    await first;
    await eventually('the second read started', () => reads === 2);
    release();
    await Promise.all(burst);
    assert.equal(reads, 2, 'ten calls during the first read cost one more read');
  });
});
