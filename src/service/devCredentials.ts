import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ApiKeyVerifier, createApiKey, ensureTenant, type Role } from '../auth/index.js';
import type { Database } from '../db/index.js';
import type { DevCredentials } from '@custos/sdk/dev';

// The file's shape is the SDK's (dApps in development read it with devCredentials() from @custos/sdk/dev).
export type { DevCredentials };

export const DEV_TENANT = 'dev';

/**
 * The development tenant's keys: reused from the credentials file while the database still accepts them (a second
 * start keeps the same keys), created afresh otherwise.
 */
export async function devApiKeys(
  db: Database,
  file: string,
): Promise<Pick<DevCredentials, 'apiKey' | 'officerKey' | 'regulatorKey' | 'adminKey' | 'executorKey'>> {
  const tenantId = await ensureTenant(db, DEV_TENANT);
  const previous = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<DevCredentials>)
    : {};
  const verifier = new ApiKeyVerifier(db);
  const key = async (existing: string | undefined, role: Role) =>
    existing && (await verifier.verify(existing))?.role === role
      ? existing
      : (await createApiKey(db, { tenantId, role, label: `dev ${role}` })).key;
  return {
    apiKey: await key(previous.apiKey, 'dapp'),
    officerKey: await key(previous.officerKey, 'officer'),
    regulatorKey: await key(previous.regulatorKey, 'regulator'),
    adminKey: await key(previous.adminKey, 'admin'),
    executorKey: await key(previous.executorKey, 'executor'),
  };
}

export function writeDevCredentials(file: string, credentials: DevCredentials): void {
  writeFileSync(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
}
