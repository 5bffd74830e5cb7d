import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';

/** The response header naming the worker process (its node:cluster id) that answered. */
export const WORKER_HEADER = 'x-custos-worker';

/** What a worker runs: the service's entry (src/main.ts under tsx, dist/src/main.js built), whoever started the primary. */
const WORKER_ENTRY = fileURLToPath(
  new URL(`../main${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

/**
 * A replacement worker starts this long after its predecessor exited, so a worker that crashes at once does not
 * spin; each replacement that fails to start doubles the wait, up to MAX_RESTART_DELAY_MS, and is tried again.
 */
const RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 30_000;

export interface Workers {
  /** The port every worker listens on (PORT, or the one the first worker was given for PORT=0). */
  port: number;
  /**
   * SIGTERM to every worker (each drains as a single process does on SIGTERM); resolves once all have exited,
   * SIGKILLing those still running after `killAfterMs`.
   */
  close(killAfterMs: number): Promise<void>;
}

/**
 * The primary's side of WORKERS=N: forks `count` server processes (the service's entry, which starts as a worker
 * under node:cluster) with `env` added to the environment, and resolves once every one listens; node:cluster shares
 * the one port and hands connections to the workers in turn. A worker that exits while the primary is not stopping
 * is logged and replaced. A worker that exits before it listens fails the start, and the others are stopped.
 */
export async function startWorkers(options: {
  count: number;
  env: Record<string, string | undefined>;
  port: number;
  logger: Logger;
}): Promise<Workers> {
  const { count, logger } = options;
  // PORT=0 too: node:cluster gives every worker listening on port 0 the one port the first was given.
  const env = { ...options.env, PORT: String(options.port) };
  const running = new Set<Worker>();
  let closing = false;
  cluster.setupPrimary({ exec: WORKER_ENTRY, args: [] });

  const fork = () =>
    new Promise<number>((resolve, reject) => {
      const worker = cluster.fork(env);
      running.add(worker);
      let listening = false;
      worker.once('listening', (address: AddressInfo) => {
        listening = true;
        logger.info({ worker: worker.id, pid: worker.process.pid }, 'worker serving');
        resolve(address.port);
      });
      worker.once('exit', (code, signal) => {
        running.delete(worker);
        if (!listening) reject(new Error(`worker ${worker.id} exited (${signal ?? code}) before it served`));
        if (closing || !listening) return;
        logger.warn(
          { worker: worker.id, pid: worker.process.pid, code, signal },
          'worker exited; starting another',
        );
        replace(RESTART_DELAY_MS);
      });
    });

  /** Forks a replacement after `delayMs`, and keeps trying (the wait doubling) until one serves or we stop. */
  const replace = (delayMs: number) =>
    setTimeout(() => {
      if (closing) return;
      fork().catch((error: unknown) => {
        const next = Math.min(delayMs * 2, MAX_RESTART_DELAY_MS);
        logger.error({ err: error, retryInMs: next }, 'worker restart failed; trying again');
        replace(next);
      });
    }, delayMs);

  const close = async (killAfterMs: number) => {
    closing = true;
    const exits = [...running].map((worker) => new Promise((resolve) => worker.once('exit', resolve)));
    for (const worker of running) worker.process.kill('SIGTERM');
    const killer = setTimeout(() => {
      for (const worker of running) worker.process.kill('SIGKILL');
    }, killAfterMs);
    await Promise.all(exits);
    clearTimeout(killer);
  };

  try {
    const port = await fork();
    await Promise.all(Array.from({ length: count - 1 }, fork));
    return { port, close };
  } catch (error) {
    await close(10_000);
    throw error;
  }
}

/** Names the worker in a header on every response (WORKER_HEADER). */
export function namingWorker(handler: RequestListener, workerId: number): RequestListener {
  const id = String(workerId);
  return (req, res) => {
    res.setHeader(WORKER_HEADER, id);
    handler(req, res);
  };
}
