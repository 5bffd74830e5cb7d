import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { readPid, stopOrphan } from '../processes.js';

export interface AnvilOptions {
  /** Port to listen on; a free one is picked when omitted. */
  port?: number;
  chainId?: number;
  /** Loads chain state from this file at start and writes it back on exit, so a restart keeps the chain. */
  stateFile?: string;
  /**
   * Records anvil's pid here. An anvil a crashed run left behind under the same pid file is stopped first (it writes
   * its state as it goes), so the new one starts from the latest state rather than an older copy.
   */
  pidFile?: string;
  host?: string;
}

export interface AnvilHandle {
  rpcUrl: string;
  chainId: number;
  stop(): Promise<void>;
}

/** anvil's first default account (mnemonic "test test ... junk"): public knowledge, for local chains only. */
export const ANVIL_DEFAULT_PRIVATE_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

/**
 * anvil's second default account: the embedded chain makes it a minter of CompliantToken, so that a dApp in
 * development (examples/) mints from an account of its own, never racing the operator (the first account) for nonces.
 */
export const ANVIL_DAPP_MINTER_ADDRESS = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

const require = createRequire(import.meta.url);

/** The anvil binary shipped by the npm package for this platform. */
export function anvilBinary(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'bin', 'anvil');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/** Starts anvil and resolves once it answers JSON-RPC. `stop()` ends it (and flushes its state file). */
export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilHandle> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort());
  const chainId = options.chainId ?? 31337;
  const args = ['--host', host, '--port', String(port), '--chain-id', String(chainId), '--silent'];
  if (options.stateFile) args.push('--state', options.stateFile);

  const orphan = options.pidFile ? readPid(options.pidFile) : undefined;
  if (orphan !== undefined) await stopOrphan(orphan, 'anvil');
  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (options.pidFile) writeFileSync(options.pidFile, `${child.pid}\n`);
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const rpcUrl = `http://${host}:${port}`;
  try {
    await waitForRpc(rpcUrl, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`anvil did not start on ${rpcUrl}: ${stderr.trim() || (error as Error).message}`);
  }
  return {
    rpcUrl,
    chainId,
    stop: async () => {
      await stopProcess(child);
      if (options.pidFile) rmSync(options.pidFile, { force: true });
    },
  };
}

async function waitForRpc(rpcUrl: string, child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      // A bare request: an ethers provider would log its own retries while anvil is still starting.
      const response = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(killer);
}
