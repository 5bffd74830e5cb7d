import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Wallet } from 'ethers';
import { pino } from 'pino';
import { createApiKey, ensureTenant } from '../../src/auth/index.js';
import { loadEnv } from '../../src/config/index.js';
import { closeDatabase, createDatabase, type Database } from '../../src/db/index.js';
import { startService, type RunningService } from '../../src/service/index.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

describe('request logs', () => {
  const lines: string[] = [];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'custos-logs-'));
  let postgres: TestPostgres;
  let service: RunningService;
  let db: Database;

  before(async () => {
    chmodSync(dataDir, 0o755);
    postgres = await startTestPostgres();
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).trim().split('\n'));
        done();
      },
    });
    service = await startService(
      loadEnv({
        PORT: '0',
        CUSTOS_DATA_DIR: dataDir,
        DATABASE_URL: postgres.url,
        ALLOW_EMBEDDED_CHAIN: 'true',
      }),
      pino({ level: 'info' }, sink),
    );
    db = createDatabase(postgres.url, 1);
  });
  after(async () => {
    if (db) await closeDatabase(db);
    await service?.stop();
    await postgres?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('carry a request id, and neither the API key nor the personal data of the request', async () => {
    const tenantId = await ensureTenant(db, 'logs');
    const { key } = await createApiKey(db, { tenantId, role: 'officer', label: 'officer' });
    const subject = Wallet.createRandom().address;
    const response = await fetch(`${service.url}/v1/kyc/${subject}?note=secret-query`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        'x-request-id': 'req-logs-1',
      },
      body: JSON.stringify({
        status: 'approved',
        country: 'LI',
        birthDate: '1977-07-07',
        riskScore: 3,
        provider: 'test',
      }),
    });
    assert.equal(response.status, 200);
    const requestLog = lines.map((l) => JSON.parse(l)).find((l) => l.req?.id === 'req-logs-1');
    assert.ok(requestLog, 'the request is logged with its id');
    assert.equal(requestLog.res.statusCode, 200);
    const all = lines.join('\n');
    for (const secret of [key, key.slice(4, 16), '1977-07-07', '"LI"', 'secret-query', 'authorization']) {
      assert.ok(!all.includes(secret), `logs must not contain ${secret}`);
    }
  });
});
