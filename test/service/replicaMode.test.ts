import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Wallet } from 'ethers';
import pg from 'pg';
import { freePort } from '../../src/chain/index.js';
import { runningEmbeddedPostgres } from '../../src/db/index.js';
import { approveWithCli, custos } from '../helpers/cli.js';
import { startEmbedded, stopChild } from '../helpers/embedded.js';
import { startReplica, type Replica } from '../helpers/replicas.js';

const attest = async (url: string, key: string, subject: string) => {
  const response = await fetch(`${url}/v1/attest`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ subject, policy: 'kyc-basic' }),
  });
  return { status: response.status, body: (await response.json()) as { signer: string; uid: string } };
};

describe('a second replica on the embedded defaults (npm start -- --replica)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'custos-replica-mode-'));
  chmodSync(dataDir, 0o755);
  let first: ChildProcess | undefined;
  let replica: Replica | undefined;
  after(async () => {
    await replica?.stop();
    await stopChild(first);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('without a running instance, or with a configured database, it says why in one line', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'custos-no-instance-'));
    try {
      const none = await custos(['serve', '--replica'], { CUSTOS_DATA_DIR: empty });
      assert.equal(none.code, 1);
      assert.equal(
        none.stderr.trim(),
        `custos: --replica found no running instance in ${empty} (no dev-credentials.json): start one with npm start first`,
      );
      const configured = await custos(['serve', '--replica'], {
        CUSTOS_DATA_DIR: empty,
        DATABASE_URL: 'postgresql://custos@127.0.0.1:1/custos',
      });
      assert.equal(configured.code, 1);
      assert.match(
        configured.stderr.trim(),
        /^custos: invalid configuration: --replica joins an `npm start`[^\n]*$/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("joins the running instance's database, chain and keys, changes none of them, and leaves them running", async () => {
    const started = await startEmbedded(dataDir);
    first = started.child;
    const creds = started.credentials;
    const credentialsFile = path.join(dataDir, 'dev-credentials.json');
    const writtenAt = statSync(credentialsFile).mtimeMs;
    const databaseUrl = runningEmbeddedPostgres(path.join(dataDir, 'postgres'))!;
    assert.ok(databaseUrl, "the first instance's PostgreSQL is found by its postmaster.pid");
    const sql = new pg.Client({ connectionString: databaseUrl });
    await sql.connect();
    try {
      const state = async () => ({
        migrations: (await sql.query('SELECT count(*) AS n FROM "_prisma_migrations"')).rows[0].n,
        keys: (await sql.query('SELECT address, status FROM signing_keys ORDER BY address')).rows,
      });
      const before = await state();

      const samePort = await custos(['serve', '--replica'], {
        CUSTOS_DATA_DIR: dataDir,
        PORT: new URL(creds.url).port,
      });
      assert.equal(samePort.code, 1);
      assert.match(samePort.stderr, /PORT \d+ is the running instance's/);

      replica = await startReplica('second', { CUSTOS_DATA_DIR: dataDir, PORT: String(await freePort()) }, [
        '--replica',
      ]);
      assert.match(
        replica.output(),
        /custos: replica serving http:\/\/127\.0\.0\.1:\d+, joined the instance/,
      );
      const subject = Wallet.createRandom().address;
      await approveWithCli(subject, { CUSTOS_DATA_DIR: dataDir }); // through the first instance
      const [fromFirst, fromReplica] = [
        await attest(creds.url, creds.apiKey, subject),
        await attest(replica.url, creds.apiKey, subject),
      ];
      assert.equal(fromReplica.status, 200, JSON.stringify(fromReplica.body));
      assert.equal(fromReplica.body.signer, fromFirst.body.signer, 'the same signing key');
      const { rows } = await sql.query('SELECT count(*) AS n FROM attestations WHERE uid = ANY($1)', [
        [fromFirst.body.uid, fromReplica.body.uid],
      ]);
      assert.equal(Number(rows[0].n), 2, 'one database');
      assert.deepEqual(await state(), before, 'no migration, no new key');
      assert.equal(
        statSync(credentialsFile).mtimeMs,
        writtenAt,
        'the credentials file is the first instance’s',
      );

      await replica.stop();
      replica = undefined;
      assert.equal(
        (await attest(creds.url, creds.apiKey, subject)).status,
        200,
        'PostgreSQL and anvil still run',
      );
      assert.ok(runningEmbeddedPostgres(path.join(dataDir, 'postgres')));
    } finally {
      await sql.end();
    }
  });
});
