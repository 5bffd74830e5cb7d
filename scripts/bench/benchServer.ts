// A Custos server for the throughput benchmark, in its own process so the load generator does not share its event
// loop: a throwaway PostgreSQL, the embedded chain, the signer named by SIGNER, and compliant subjects ready.
// WORKERS=N forks N server processes (the primary is this one). Prints one JSON line ({ url, key, subjects, pid })
// when ready; stops everything on SIGTERM. Answers commands on stdin with one line each: `profile-start`, and
// `profile-stop <file>` (writes this process's CPU profile since the start: the server's with WORKERS=1).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Wallet } from 'ethers';
import { pino } from 'pino';
import { createApiKey, ensureTenant } from '../../src/auth/index.js';
import { loadEnv, workerCount } from '../../src/config/index.js';
import {
  closeDatabase,
  createDatabase,
  handOverShutdownSignals,
  startEmbeddedPostgres,
} from '../../src/db/index.js';
import { startService } from '../../src/service/index.js';
import { approveSubject } from '../../test/helpers/fixtures.js';

const SUBJECTS = 200;

const dir = mkdtempSync(path.join(tmpdir(), 'custos-bench-'));
chmodSync(dir, 0o755);
const postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg') });
const settings = {
  ...process.env,
  PORT: '0',
  LOG_LEVEL: 'warn',
  CUSTOS_DATA_DIR: path.join(dir, 'data'),
  DATABASE_URL: postgres.url,
  ALLOW_EMBEDDED_CHAIN: 'true',
};
const env = loadEnv(settings);
const workers = workerCount(env);
const service = await startService(
  env,
  pino({ level: 'warn' }, pino.destination(2)), // stdout carries only the ready line
  // WORKERS=N: this process is the primary, the workers serve (their logs go to this stdout too: warnings only)
  { workers: workers > 1 ? { count: workers, settings } : undefined },
);
const db = createDatabase(postgres.url, 2);
const tenantId = await ensureTenant(db, 'bench');
const { key } = await createApiKey(db, {
  tenantId,
  role: 'dapp',
  label: 'bench',
  rateLimitPerMinute: 10_000_000,
});
const subjects: string[] = [];
for (let i = 0; i < SUBJECTS; i++) {
  const subject = Wallet.createRandom().address;
  await approveSubject(db, subject);
  subjects.push(subject);
}
await closeDatabase(db);
console.log(JSON.stringify({ url: service.url, key, subjects, pid: process.pid }));

const profiler = new Session();
profiler.connect();
await profiler.post('Profiler.enable');
createInterface({ input: process.stdin }).on('line', async (line) => {
  const [command, file] = line.split(' ');
  if (command === 'profile-start') {
    await profiler.post('Profiler.start');
  } else if (command === 'profile-stop' && file) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
  }
  console.log(`${command} done`);
});

handOverShutdownSignals(); // the service drains first; this PostgreSQL stops after it
process.once('SIGTERM', async () => {
  await service.stop();
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
