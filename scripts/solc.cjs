#!/usr/bin/env node
// Foundry cannot download native solc here, so foundry.toml points `solc` at this
// wrapper over the pinned npm `solc` (solc-js). Forge only needs two calls:
// `--version` and `--standard-json` (input on stdin, every source inlined).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const solc = require('solc');

const args = process.argv.slice(2);

if (args.includes('--version')) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}

if (!args.includes('--standard-json')) {
  process.stderr.write(
    `solc wrapper: only --version and --standard-json are supported (got: ${args.join(' ')})\n`,
  );
  process.exit(2);
}

// Imports are normally inlined by forge; resolve the rest against the base/include paths it passes.
const searchRoots = [process.cwd()];
for (let i = 0; i < args.length; i++) {
  if ((args[i] === '--base-path' || args[i] === '--include-path') && args[i + 1])
    searchRoots.push(args[i + 1]);
}
function findImports(importPath) {
  for (const root of searchRoots) {
    const candidate = path.resolve(root, importPath);
    if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, 'utf8') };
  }
  return { error: `File not found: ${importPath}` };
}

const input = fs.readFileSync(0, 'utf8');
process.stdout.write(solc.compile(input, { import: findImports }));
