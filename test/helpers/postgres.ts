import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/db/index.js';

export interface TestPostgres extends EmbeddedPostgresHandle {
  dataDir: string;
}

/** A throwaway embedded PostgreSQL cluster for one test file; `stop()` also removes its data. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'custos-pg-'));
  chmodSync(dataDir, 0o755); // mkdtemp makes it 0700; the postgres user must reach the cluster inside
  const handle = await startEmbeddedPostgres({ dataDir });
  return {
    ...handle,
    dataDir,
    stop: async () => {
      await handle.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
