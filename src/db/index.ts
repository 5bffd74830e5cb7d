// The database: embedded PostgreSQL for development, SQL migrations in Prisma's layout, the Prisma client.
export { createDatabase, type Database } from './client.js';
export { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embeddedPostgres.js';
export { applyMigrations, listMigrations, MIGRATIONS_DIR, type MigrationResult } from './migrate.js';
