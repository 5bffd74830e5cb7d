import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/client.js';

/**
 * The Prisma client, plus the node-postgres pool it runs on. Prisma serves every flow but the hot path: screening
 * reads and the group-committed issuance log use the pool directly, because a Prisma interactive transaction costs
 * about 5 ms of CPU where the same statements on the pool cost under 1 ms (measured; see docs/explanation/performance.md).
 */
export type Database = PrismaClient & { readonly pool: pg.Pool };

/**
 * Connects through our own pool so that a connection PostgreSQL terminates (restart, failover) is logged and
 * dropped: without these listeners node-postgres emits an unhandled 'error' and the process dies instead of
 * recovering.
 */
export function createDatabase(
  databaseUrl: string,
  poolSize = 10,
  onError: (error: Error) => void = () => {},
): Database {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, connectionTimeoutMillis: 5_000 });
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  // A burst queues for a connection rather than failing: Prisma's default 2 s wait for an interactive transaction
  // is shorter than the pool's own connection timeout, and audited writes serialise on the audit chain's head.
  const transactionOptions = { maxWait: TRANSACTION_MAX_WAIT_MS, timeout: TRANSACTION_TIMEOUT_MS };
  return Object.assign(new PrismaClient({ adapter: new PrismaPg(pool), transactionOptions }), { pool });
}

/** How long a transaction waits for a connection: the pool's timeout answers first (5 s), as DATABASE_UNAVAILABLE. */
const TRANSACTION_MAX_WAIT_MS = 10_000;
/** How long an interactive transaction may run, waiting for row and advisory locks included. */
const TRANSACTION_TIMEOUT_MS = 30_000;

/** Disconnects Prisma and ends the pool (Prisma does not own it). */
export async function closeDatabase(db: Database): Promise<void> {
  await db.$disconnect();
  await db.pool.end();
}
