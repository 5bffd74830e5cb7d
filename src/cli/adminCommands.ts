import { ROLES, type apiKeyView } from '@custos/sdk/api';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { z } from 'zod';
import { call, CliError, connection } from './client.js';
import { print } from './output.js';

type ApiKey = z.output<typeof apiKeyView>;

const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

export function seconds(value: string): number {
  const match = DURATION.exec(value);
  if (!match) throw new InvalidArgumentError('expected a duration such as 30m, 12h or 1d');
  return Number(match[1]) * UNIT_SECONDS[match[2]!]!;
}

export function integer(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

const keyRow = (k: ApiKey) => ({
  id: k.id,
  tenant: k.tenant,
  role: k.role,
  label: k.label,
  rate: k.rateLimitPerMinute,
  expires: k.expiresAt,
  revoked: k.revokedAt,
});

/** Tenants and API keys (an admin key: CUSTOS_ADMIN_KEY), and the first admin key of a deployment. */
export function addAdminCommands(program: Command, json: () => boolean): void {
  const admin = () => connection('admin');

  const tenants = program.command('tenants').description('tenants (admin key)');
  tenants
    .command('create <name>')
    .description('create a tenant')
    .action(async (name: string) => {
      const tenant = await call(admin(), 'createTenant', { body: { name } });
      print(json(), tenant, [tenant]);
    });
  tenants
    .command('list')
    .description('every tenant, with how many API keys it has')
    .action(async () => {
      const result = await call(admin(), 'listTenants');
      print(json(), result, result.tenants);
    });

  const keys = program.command('api-keys').description('API keys (admin key)');
  keys
    .command('create')
    .description('create an API key; its secret is printed once')
    .requiredOption('--tenant <name>', 'the tenant it belongs to')
    .addOption(new Option('--role <role>', 'what it may do').choices(ROLES).makeOptionMandatory())
    .option('--label <text>', 'what it is for', 'created with custos api-keys create')
    .option('--rate-limit <n>', 'requests per minute', integer)
    .option('--expires <iso>', 'refused from this instant on, e.g. 2027-01-01T00:00:00Z')
    .action(
      async (options: {
        tenant: string;
        role: string;
        label: string;
        rateLimit?: number;
        expires?: string;
      }) => {
        const created = await call(admin(), 'createApiKey', {
          body: {
            tenant: options.tenant,
            role: options.role as (typeof ROLES)[number],
            label: options.label,
            rateLimitPerMinute: options.rateLimit,
            expiresAt: options.expires,
          },
        });
        if (json()) return print(true, created);
        print(false, created, [keyRow(created.apiKey)]);
        console.log(`key (shown once, store it now): ${created.key}`);
      },
    );
  keys
    .command('list')
    .description('API keys, never their secrets')
    .option('--tenant <name>', 'only this tenant’s')
    .action(async (options: { tenant?: string }) => {
      const result = await call(admin(), 'listApiKeys', { query: { tenant: options.tenant } });
      print(json(), result, result.apiKeys.map(keyRow));
    });
  keys
    .command('revoke <id>')
    .description('revoke an API key: refused on every replica at once')
    .action(async (id: string) => {
      const revoked = await call(admin(), 'revokeApiKey', { params: { id } });
      print(json(), revoked, [keyRow(revoked)]);
    });
  keys
    .command('rotate <id>')
    .description('a new secret for an API key; the old one keeps working for the overlap')
    .option('--overlap <duration>', 'how long the old secret keeps working (e.g. 1h)', seconds, 3_600)
    .action(async (id: string, options: { overlap: number }) => {
      const rotated = await call(admin(), 'rotateApiKey', {
        params: { id },
        body: { overlapSeconds: options.overlap },
      });
      if (json()) return print(true, rotated);
      print(false, rotated, [keyRow(rotated.apiKey), keyRow(rotated.previous)]);
      console.log(`new key (shown once, store it now): ${rotated.key}`);
    });

  program
    .command('admin')
    .description('deployment administration')
    .command('bootstrap')
    .description(
      'create the first admin key straight in the database (DATABASE_URL); refused once an admin exists',
    )
    .option('--tenant <name>', 'the operator tenant the key belongs to', 'operator')
    .action(async (options: { tenant: string }) => {
      const databaseUrl = process.env.DATABASE_URL;
      if (!databaseUrl)
        throw new CliError('custos admin bootstrap needs DATABASE_URL (it writes to the database directly)');
      // Loaded here: the other commands talk to the API and need no database client.
      const { bootstrapAdmin } = await import('../admin/index.js');
      const { assertMigrated, closeDatabase, createDatabase } = await import('../db/index.js');
      await assertMigrated(databaseUrl).catch((error: Error) => {
        throw new CliError(
          `the database is not ready: ${error.message} (start the service once to migrate it)`,
        );
      });
      const db = createDatabase(databaseUrl, 1);
      try {
        const created = await bootstrapAdmin(
          db,
          options.tenant,
          `cli:bootstrap:${process.env.USER ?? 'unknown'}`,
        ).catch((error: Error & { code?: string }) => {
          throw new CliError(error.code ? `${error.code}: ${error.message}` : error.message);
        });
        if (json()) return print(true, created);
        print(false, created, [keyRow(created.apiKey)]);
        console.log(`admin key (shown once, store it now): ${created.key}`);
      } finally {
        await closeDatabase(db);
      }
    });
}
