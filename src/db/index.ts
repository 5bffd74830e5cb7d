// The database: embedded PostgreSQL for development, SQL migrations in Prisma's layout, the Prisma client and pool.
export { closeDatabase, createDatabase, type Database } from './client.js';
export {
  handOverShutdownSignals,
  runningEmbeddedPostgres,
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
} from './embeddedPostgres.js';
export { Batcher, GroupCommit } from './groupCommit.js';
export {
  applyMigrations,
  assertMigrated,
  listMigrations,
  MIGRATIONS_DIR,
  type MigrationResult,
} from './migrate.js';
export { withAdvisoryLock, withTryAdvisoryLock } from './advisoryLock.js';
export { inTransaction } from './transaction.js';
// Row types other parts read and pass around (never the client itself).
export type { AgentConfig, AgentExecution } from './generated/client.js';
