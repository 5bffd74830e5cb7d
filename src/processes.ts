import { existsSync, readFileSync } from 'node:fs';

/**
 * Ends a process a previous run left behind (it was killed before it could stop its children), if `pid` is still
 * alive and its command line mentions `expectedCommand` (so a recycled pid is left alone). SIGTERM lets anvil
 * write its state and PostgreSQL shut down cleanly.
 */
export async function stopOrphan(
  pid: number,
  expectedCommand: string,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<boolean> {
  if (!isAlive(pid) || !commandMentions(pid, expectedCommand)) return false;
  process.kill(pid, signal);
  for (let waited = 0; isAlive(pid); waited += 100) {
    if (waited > 20_000)
      throw new Error(`process ${pid} (${expectedCommand}) left by a previous run does not stop`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** The pid in `pidFile` when that process is alive and its command line mentions `expectedCommand`. */
export function runningPid(pidFile: string, expectedCommand: string): number | undefined {
  const pid = readPid(pidFile);
  return pid !== undefined && isAlive(pid) && commandMentions(pid, expectedCommand) ? pid : undefined;
}

/** Where /proc is readable, whether `pid`'s command line mentions `expected` (a recycled pid does not). */
function commandMentions(pid: number, expected: string): boolean {
  const cmdline = `/proc/${pid}/cmdline`;
  return !existsSync(cmdline) || readFileSync(cmdline, 'utf8').includes(expected);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The first line of a pid file as a number, when the file exists. */
export function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n', 1)[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
