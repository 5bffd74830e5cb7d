import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createApiKey, ensureTenant, type Role } from '../../src/auth/index.js';
import { loadEnv } from '../../src/config/index.js';
import { closeDatabase, createDatabase, type Database } from '../../src/db/index.js';
import { startService, type RunningService } from '../../src/service/index.js';
import { startTestPostgres, type TestPostgres } from './postgres.js';

export interface TestService {
  service: RunningService;
  postgres: TestPostgres;
  /** A second connection for assertions on what the service wrote. */
  db: Database;
  dataDir: string;
  key(role: Role, tenant?: string, rateLimitPerMinute?: number): Promise<string>;
  request(
    method: string,
    route: string,
    options?: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<{
    status: number;
    headers: Headers;
    body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  }>;
  stop(): Promise<void>;
}

/** The real service on a throwaway PostgreSQL and its own embedded anvil chain, on a free port. */
export async function startTestService(extraEnv: Record<string, string> = {}): Promise<TestService> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'custos-service-'));
  chmodSync(dataDir, 0o755);
  const postgres = await startTestPostgres();
  let service: RunningService;
  try {
    service = await startService(
      loadEnv({
        PORT: '0',
        CUSTOS_DATA_DIR: dataDir,
        DATABASE_URL: postgres.url,
        ALLOW_EMBEDDED_CHAIN: 'true',
        ...extraEnv,
      }),
      pino({ level: 'silent' }),
    );
  } catch (error) {
    await postgres.stop();
    throw error;
  }
  const db = createDatabase(postgres.url, 2);
  return {
    service,
    postgres,
    db,
    dataDir,
    async key(role, tenant = 'test-tenant', rateLimitPerMinute) {
      const tenantId = await ensureTenant(db, tenant);
      return (await createApiKey(db, { tenantId, role, label: `test ${role}`, rateLimitPerMinute })).key;
    },
    async request(method, route, options = {}) {
      const response = await fetch(`${service.url}${route}`, {
        method,
        headers: {
          ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
          ...(options.body !== undefined || options.raw !== undefined
            ? { 'content-type': 'application/json' }
            : {}),
          ...options.headers,
        },
        body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON (metrics, docs page)
      }
      return { status: response.status, headers: response.headers, body };
    },
    async stop() {
      await closeDatabase(db);
      await service.stop();
      await postgres.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
