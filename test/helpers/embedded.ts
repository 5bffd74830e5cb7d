import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DevCredentials } from '../../src/service/index.js';

/** Starts `src/main.ts` (what `npm start` runs) on embedded defaults and waits for its credentials file. */
export async function startEmbedded(
  dataDir: string,
): Promise<{ child: ChildProcess; credentials: DevCredentials }> {
  const file = path.join(dataDir, 'dev-credentials.json');
  const startedAt = Date.now();
  const written = () => existsSync(file) && statSync(file).mtimeMs >= startedAt;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    // One process unless WORKERS is set: embedded defaults would otherwise fork one per core.
    env: { WORKERS: '1', ...process.env, CUSTOS_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const deadline = Date.now() + 90_000;
  while (!written()) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) {
      await stopChild(child); // its PostgreSQL and anvil with it: the caller never gets it to stop
      throw new Error(`npm start did not come up: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, credentials: JSON.parse(readFileSync(file, 'utf8')) };
}

/** SIGTERM, then SIGKILL after 20 s; resolves once the process has exited. */
export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(killer);
}
