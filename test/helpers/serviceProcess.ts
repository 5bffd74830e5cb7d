import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** `src/main.ts` (what `npm start` runs) under tsx, from any working directory. */
export const MAIN = ['--import', import.meta.resolve('tsx'), path.resolve('src/main.ts')];

export interface ServiceProcess {
  child: ChildProcess;
  /** stdout, one entry per line: pino's JSON lines parsed, anything else (dev credentials) as text. */
  lines: (Record<string, unknown> | string)[];
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first log line whose `msg` is `message`; rejects if the process exits first. */
  waitForLog(message: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends SIGTERM (unless already sent) and waits for the exit; SIGKILL after `killAfterMs`. */
  stop(killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the service as its own process (node running `args`, MAIN by default) with `env` and nothing else of ours. */
export function spawnService(options: {
  env: Record<string, string | undefined>;
  command?: string;
  args?: string[];
  cwd?: string;
}): ServiceProcess {
  const child = spawn(options.command ?? process.execPath, options.args ?? MAIN, {
    // tsx resolves the workspace packages (@custos/*) to their sources through tsconfig.json's paths, and looks for
    // tsconfig.json in the working directory: from any other, they would resolve to their dist, unbuilt in a checkout.
    // One process unless the test asks for WORKERS: embedded defaults would otherwise fork one per core.
    env: { TSX_TSCONFIG_PATH: path.resolve('tsconfig.json'), WORKERS: '1', ...options.env },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: ServiceProcess['lines'] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const waiting = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      lines.push(line);
    }
    for (const wake of waiting) wake();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const logged = (message: string) =>
    lines.find((line): line is Record<string, unknown> => typeof line === 'object' && line.msg === message);

  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    waitForLog(message, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = logged(message);
          if (!line) return;
          done();
          resolve(line);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no "${message}" log line within ${timeoutMs} ms: ${stderr}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiting.delete(check);
        };
        waiting.add(check);
        void exited.then(({ code }) => {
          done();
          reject(new Error(`the service exited with ${code} before logging "${message}": ${stderr}`));
        });
        check();
      });
    },
    async stop(killAfterMs = 60_000) {
      if (!child.killed && child.exitCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      const result = await exited;
      clearTimeout(killer);
      return result;
    },
  };
}
