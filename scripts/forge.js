#!/usr/bin/env node
// `forge` with its exit status. The launcher of the npm package (@foundry-rs/forge 1.7.1, node_modules/.bin/forge)
// exits 0 whatever forge returns (foundry-rs/foundry#14781), so a failing forge test, a changed gas snapshot or an
// unformatted file let `npm test` pass. This runs the binary the package ships for this platform and exits as it does.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';

const require = createRequire(import.meta.url);
const arch = process.arch === 'x64' ? 'amd64' : process.arch;
const platformPackage = `@foundry-rs/forge-${process.platform}-${arch}`;
const binary = path.join(
  path.dirname(require.resolve(`${platformPackage}/package.json`)),
  'bin',
  process.platform === 'win32' ? 'forge.exe' : 'forge',
);
const result = spawnSync(binary, process.argv.slice(2), { stdio: 'inherit' });
if (result.error) throw result.error;
if (result.signal) process.kill(process.pid, result.signal);
process.exit(result.status ?? 1);
