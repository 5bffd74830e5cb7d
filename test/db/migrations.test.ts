import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { MIGRATIONS_DIR, applyMigrations, assertMigrated, listMigrations } from '../../src/db/index.js';
import { readSchemaColumns } from '../helpers/prismaSchema.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

/** What PostgreSQL's information_schema calls the type Prisma maps each scalar (or @db native type) to. */
function expectedDataType(prismaType: string, nativeType: string | undefined, enums: Set<string>): string {
  if (enums.has(prismaType)) return 'USER-DEFINED';
  if (nativeType === 'Uuid') return 'uuid';
  if (nativeType === 'Date') return 'date';
  if (nativeType === 'Timestamptz') return 'timestamp with time zone';
  const byType: Record<string, string> = {
    String: 'text',
    Int: 'integer',
    BigInt: 'bigint',
    Boolean: 'boolean',
    DateTime: 'timestamp without time zone',
    Json: 'jsonb',
    Bytes: 'bytea',
    Float: 'double precision',
  };
  return byType[prismaType] ?? `unmapped ${prismaType}`;
}

describe('migrations', () => {
  let postgres: TestPostgres;
  let client: pg.Client;

  before(async () => {
    postgres = await startTestPostgres();
    await applyMigrations(postgres.url);
    client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
  });

  after(async () => {
    await client?.end();
    await postgres?.stop();
  });

  it("records every migration in Prisma's _prisma_migrations with its SHA-256 checksum", async () => {
    const { rows } = await client.query(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    assert.deepEqual(
      rows.map((r) => r.migration_name),
      listMigrations(),
    );
    for (const row of rows) {
      const sql = readFileSync(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      assert.equal(row.checksum, createHash('sha256').update(sql).digest('hex'));
      assert.ok(row.finished_at);
      assert.equal(row.applied_steps_count, 1);
    }
  });

  it('is idempotent: a second run applies nothing', async () => {
    const result = await applyMigrations(postgres.url);
    assert.deepEqual(result.applied, []);
    assert.deepEqual(result.alreadyApplied, listMigrations());
  });

  it('refuses a migration that changed after it was applied', async () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'custos-migrations-'));
    cpSync(MIGRATIONS_DIR, copy, { recursive: true });
    const [first] = listMigrations(copy);
    writeFileSync(path.join(copy, first!, 'migration.sql'), '-- edited\n', { flag: 'a' });
    await assert.rejects(applyMigrations(postgres.url, copy), /was modified after it was applied/);
  });

  it('assertMigrated changes nothing and refuses a database that lacks a migration or has an edited one', async () => {
    await assertMigrated(postgres.url);
    const copy = mkdtempSync(path.join(tmpdir(), 'custos-migrations-'));
    cpSync(MIGRATIONS_DIR, copy, { recursive: true });
    mkdirSync(path.join(copy, '29991231000000_later'));
    writeFileSync(path.join(copy, '29991231000000_later', 'migration.sql'), 'CREATE TABLE later (id int);\n');
    await assert.rejects(assertMigrated(postgres.url, copy), /lacks migration 29991231000000_later/);
    assert.equal((await client.query(`SELECT to_regclass('later') AS t`)).rows[0].t, null);
    const [first] = listMigrations(copy);
    writeFileSync(path.join(copy, first!, 'migration.sql'), '-- edited\n', { flag: 'a' });
    await assert.rejects(assertMigrated(postgres.url, copy), /was modified after it was applied/);
  });

  it('builds exactly the tables and columns schema.prisma declares', async () => {
    const { columns, enums } = readSchemaColumns(path.join(MIGRATIONS_DIR, '..', 'schema.prisma'));
    const { rows } = await client.query<{
      table_name: string;
      column_name: string;
      data_type: string;
      is_nullable: string;
    }>(
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    const actual = new Map(rows.map((r) => [`${r.table_name}.${r.column_name}`, r]));
    for (const column of columns) {
      const key = `${column.table}.${column.column}`;
      const found = actual.get(key);
      assert.ok(found, `${key} (${column.model}) is missing from the migrations`);
      assert.equal(
        found.data_type,
        expectedDataType(column.prismaType, column.nativeType, enums),
        `${key} type`,
      );
      assert.equal(found.is_nullable === 'YES', column.optional, `${key} nullability`);
      actual.delete(key);
    }
    assert.deepEqual([...actual.keys()], [], 'columns in the database that schema.prisma does not declare');
  });

  it('makes audit_events append-only: UPDATE, DELETE and TRUNCATE are refused', async () => {
    await client.query(
      `INSERT INTO audit_events (seq, type, actor, payload, created_at, prev_hash, hash)
       VALUES (1, 'test', 'test', '{}', now(), '\\x00', '\\x01')`,
    );
    await assert.rejects(
      client.query(`UPDATE audit_events SET actor = 'mallory'`),
      /append-only: UPDATE refused/,
    );
    await assert.rejects(client.query('DELETE FROM audit_events'), /append-only: DELETE refused/);
    await assert.rejects(client.query('TRUNCATE audit_events'), /append-only: TRUNCATE refused/);
  });
});
