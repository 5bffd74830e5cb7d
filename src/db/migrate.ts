import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { packageRoot } from '../packageRoot.js';

export const MIGRATIONS_DIR = path.join(packageRoot(), 'prisma', 'migrations');

/** Any constant: the lock only has to be the same for every Custos process migrating this database. */
const MIGRATION_LOCK_KEY = 0x637573746f73; // "custos"

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

/**
 * Applies the SQL migrations in Prisma's layout (prisma/migrations/<name>/migration.sql) in name order, and records
 * each in Prisma's own `_prisma_migrations` table with the same SHA-256 checksum `prisma migrate` would write, so
 * the database stays compatible with Prisma's tooling. `prisma migrate` itself needs a native schema engine that
 * cannot be installed here. One migrator at a time (advisory lock); a migration changed after it was applied stops
 * start-up rather than drifting silently.
 */
export async function applyMigrations(
  databaseUrl: string,
  migrationsDir = MIGRATIONS_DIR,
): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const recorded = await recordedMigrations(client);
    for (const name of listMigrations(migrationsDir)) {
      const { sql, checksum } = readMigration(migrationsDir, name);
      const applied = recorded.get(name);
      if (applied !== undefined) {
        if (applied !== checksum) throw new Error(`migration ${name} was modified after it was applied`);
        result.alreadyApplied.push(name);
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), checksum, name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${name} failed: ${(error as Error).message}`, { cause: error });
      }
      result.applied.push(name);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    await client.end();
  }
  return result;
}

/**
 * Changes nothing: throws unless every migration is applied as it is here. For a process that joins a database
 * another one runs on (a replica of `npm start`), which must not change the schema under it.
 */
export async function assertMigrated(databaseUrl: string, migrationsDir = MIGRATIONS_DIR): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ present: boolean }>(
      `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`,
    );
    const recorded = rows[0]!.present ? await recordedMigrations(client) : new Map<string, string>();
    for (const name of listMigrations(migrationsDir)) {
      const applied = recorded.get(name);
      if (applied === undefined)
        throw new Error(
          `the database lacks migration ${name} (this process does not migrate: start one that does first)`,
        );
      if (applied !== readMigration(migrationsDir, name).checksum)
        throw new Error(`migration ${name} was modified after it was applied`);
    }
  } finally {
    await client.end();
  }
}

async function recordedMigrations(client: pg.Client): Promise<Map<string, string>> {
  const { rows } = await client.query<{ migration_name: string; checksum: string }>(
    'SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
  );
  return new Map(rows.map((row) => [row.migration_name, row.checksum]));
}

function readMigration(migrationsDir: string, name: string): { sql: string; checksum: string } {
  const sql = readFileSync(path.join(migrationsDir, name, 'migration.sql'), 'utf8');
  return { sql, checksum: createHash('sha256').update(sql).digest('hex') };
}

export function listMigrations(migrationsDir = MIGRATIONS_DIR): string[] {
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}
